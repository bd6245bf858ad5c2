/**
 * The audit log's partition and retention duty (every node runs it; lib/runtime/start.ts step 11):
 *  - every hour, the month partitions of this month and the next two are created if missing
 *    (lib/audit/partitions.ts), so an insert lands in its month and not in the default partition;
 *  - with MANDATE_AUDIT_RETENTION_DAYS, once a day on ONE node (a session advisory lock held while it
 *    runs is the lease; the last run's time is the `audit.retention_last_run` setting), every month that
 *    ended more than that many days ago is archived (lib/audit/archive.ts) as `system:retention`.
 */
import { getPool } from "../db/pool.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { archiveAudit } from "./archive.ts";
import { ensureAuditPartitions } from "./partitions.ts";

const TICK_MS = 3_600_000;
const DAY_MS = 86_400_000;
const RETENTION_LOCK = 727_274_020; // arbitrary, fixed: "audit retention"
export const RETENTION_SETTING = "audit.retention_last_run";

export interface RetentionOptions {
  rt: NodeContext;
  dataDir: string;
  archiveDir: string;
  retentionDays?: number;
  log: (m: string) => void;
}

/** One tick: partitions ahead; the day's archive if it is due and this node holds the lease. Returns what it archived. */
export async function retentionTick(o: RetentionOptions, now = new Date()): Promise<number> {
  await ensureAuditPartitions(now);
  if (!o.retentionDays) return 0;
  const c = await getPool().connect();
  try {
    if (!(await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [RETENTION_LOCK])).rows[0].ok) return 0;
    try {
      const last = await c.query<{ at: string }>("SELECT value->>'at' AS at FROM settings WHERE key = $1", [RETENTION_SETTING]);
      if (last.rows.length && now.getTime() - Date.parse(last.rows[0].at) < DAY_MS) return 0;
      const before = new Date(now.getTime() - o.retentionDays * DAY_MS);
      const r = await archiveAudit(o.rt, { before, dir: o.archiveDir, dataDir: o.dataDir, actor: "system:retention" });
      await c.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [RETENTION_SETTING, JSON.stringify({ at: now.toISOString(), archived: r.archived.map((a) => a.partition) })],
      );
      for (const a of r.archived) o.log(`audit retention: archived ${a.partition} (${a.entries} entries) to ${o.archiveDir}`);
      return r.archived.length;
    } finally {
      await c.query("SELECT pg_advisory_unlock($1)", [RETENTION_LOCK]);
    }
  } finally {
    c.release();
  }
}

/** Starts the duty (first tick at once); returns its stop. */
export function startAuditRetention(o: RetentionOptions): () => void {
  const tick = () => void retentionTick(o).catch((e: Error) => o.log(`audit retention: ${e.message} (retried in an hour)`));
  tick();
  const t = setInterval(tick, TICK_MS);
  t.unref();
  return () => clearInterval(t);
}
