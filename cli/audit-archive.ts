/** `mandate audit archive --before <date>`: seals whole months of the audit log into files, then drops them (lib/audit/archive.ts). */
import { archiveAudit } from "../lib/audit/archive.ts";
import { auditArchiveDir } from "../lib/audit/archive-format.ts";
import { env } from "../lib/env.ts";
import { MandateError } from "../lib/errors.ts";
import { need, str, type Command } from "./args.ts";
import { withDatabase } from "./with-database.ts";

/** `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with its zone. */
export function parseBefore(v: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v) ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime()))
    throw new MandateError(400, "invalid_request", `--before must be YYYY-MM-DD or an ISO 8601 time with its zone, not ${v}`);
  return d;
}

export const auditArchiveCommands: Record<string, Command> = {
  "audit archive": {
    usage: "--before <YYYY-MM-DD|ISO time> [--dir D]",
    summary:
      "Seal every whole month of the audit log that ends before the date into a gzip file with its signed checkpoint and manifest, " +
      "then drop it from PostgreSQL (audited; MANDATE_AUDIT_ARCHIVE_DIR, default <data dir>/audit-archive)",
    options: { before: { type: "string" }, dir: { type: "string" } },
    run: ({ values, actor }) => {
      const before = parseBefore(need(str(values.before), "--before"));
      const dir = str(values.dir) ?? auditArchiveDir(env().dataDir);
      return withDatabase(async (ctx) => {
        const r = await archiveAudit(ctx, { before, dir, dataDir: env().dataDir, actor });
        for (const a of r.archived) console.log(`Archived ${a.partition}: ${a.entries} entries of ${a.chains} chain(s) → ${dir}/${a.file}`);
        console.log(
          r.archived.length
            ? `${r.archived.length} month(s) archived; ${r.kept} kept`
            : `Nothing to archive before ${before.toISOString()}; ${r.kept} month(s) kept`,
        );
        return 0;
      });
    },
  },
};
