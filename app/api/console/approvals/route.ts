/**
 * GET /api/console/approvals[?watch=<id>,<id>…] — the approvals queue (pending with their session
 * context, recently decided) that the console polls to stay current; `watch` names the approvals the
 * page shows, and those no longer pending come back in `watched` (who decided, or expired), so the page
 * can collapse them in place. Any signed-in role may read; deciding goes through
 * POST /api/v1/approvals/:id/decision, which checks the role.
 */
import type { NextRequest } from "next/server";
import { z } from "zod";
import { requireApiUser } from "@/app/auth";
import { fromZod } from "@/lib/errors";
import { answerProblems } from "@/lib/http/problem-response";
import { approvalQueue } from "@/lib/sessions/queries-approvals";

export const dynamic = "force-dynamic";

/** At most 500 ids (the queue shows at most 100 pending, plus what was decided while it was open). */
const watchSchema = z
  .string()
  .max(500 * 37)
  .transform((s) => (s ? s.split(",") : []))
  .pipe(z.array(z.uuid({ error: "a comma-separated list of approval ids" })).max(500));

export function GET(req: NextRequest) {
  return answerProblems(req, async () => {
    await requireApiUser();
    const watch = watchSchema.safeParse(req.nextUrl.searchParams.get("watch") ?? "");
    if (!watch.success) throw fromZod(watch.error, "watch");
    return Response.json(await approvalQueue(watch.data), { headers: { "Cache-Control": "no-store" } });
  });
}
