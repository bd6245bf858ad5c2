/**
 * GET /api/console/audit/export?format=csv|jsonl&<the explorer's filters> — the filtered audit view as
 * a streamed download. The filters go through the explorer's own definition and mapping, so the file
 * holds exactly the rows the view shows (all pages of it); rows are read 2,000 at a time with a keyset
 * cursor and written as the client takes them (pull-based), so memory stays flat for any size.
 */
import type { NextRequest } from "next/server";
import { requireApiUser } from "@/app/auth";
import { badRequest } from "@/lib/errors";
import { answerProblems } from "@/lib/http/problem-response";
import { exportAudit, exportFileName, type ExportFormat } from "@/lib/audit/export";
import { auditFilterOptions } from "@/lib/audit/queries";
import { auditTableDefinition, toAuditFilters } from "@/lib/audit/queries-filters";
import { applyTableRange } from "@/lib/console/range-params";
import { parseTableState } from "@/lib/console/table/definition";

export const dynamic = "force-dynamic";

const TYPES: Record<ExportFormat, string> = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" };

export function GET(req: NextRequest) {
  return answerProblems(req, async () => {
    await requireApiUser();
    const format = req.nextUrl.searchParams.get("format");
    if (format !== "csv" && format !== "jsonl") throw badRequest("invalid_request", "format must be csv or jsonl");
    return exportResponse(req, format);
  });
}

async function exportResponse(req: NextRequest, format: ExportFormat): Promise<Response> {
  const sp = Object.fromEntries([...new Set(req.nextUrl.searchParams.keys())].map((k) => [k, req.nextUrl.searchParams.getAll(k)]));
  const definition = auditTableDefinition({ ...(await auditFilterOptions()), sp });
  const ranged = applyTableRange(definition, parseTableState(definition, sp));
  if (ranged.range?.error) throw badRequest("invalid_request", ranged.range.error);
  const filters = toAuditFilters(ranged.state);
  const rows = exportAudit(filters, format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await rows.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      } catch (err) {
        // Headers are already sent: end the file with a line that says it is incomplete, then fail the stream.
        controller.enqueue(encoder.encode(`\n# export failed: ${(err as Error).message}\n`));
        controller.error(err);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": TYPES[format],
      "Content-Disposition": `attachment; filename="${exportFileName(format)}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
