/**
 * The partitions of audit_entries (prisma/migrations/20261210020000_audit_partitions): one per UTC month,
 * `audit_entries_pYYYYMM` holding [first of the month, first of the next), plus `audit_entries_default`
 * for whatever has no month partition (an insert never fails for want of a partition). Each partition
 * has PRIMARY KEY (chain_id, seq) and its own TRUNCATE trigger; row triggers come from the parent.
 *
 * ensureAuditPartitions() creates the months ahead (a node duty, lib/audit/retention.ts; idempotent, and
 * serialised across nodes by a transaction-level advisory lock).
 */
import type pg from "pg";
import { getPool } from "../db/pool.ts";
import { readManifests } from "./archive-verify.ts";

const PARTITION_LOCK = 727_274_019; // arbitrary, fixed: "audit partitions"
const NAME = /^audit_entries_p(\d{4})(\d{2})$/;

export interface AuditPartition {
  name: string;
  /** [from, to) of created_at. */
  from: Date;
  to: Date;
}

/** The month partition's name and range, from its name (null: not a month partition). */
export function monthPartition(name: string): AuditPartition | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { name, from: new Date(Date.UTC(y, mo, 1)), to: new Date(Date.UTC(y, mo + 1, 1)) };
}

/** The month partitions that exist, oldest first. */
export async function listAuditPartitions(q: pg.ClientBase | pg.Pool = getPool()): Promise<AuditPartition[]> {
  const r = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass('audit_entries') ORDER BY c.relname`,
  );
  return r.rows.map((x) => monthPartition(x.name)).filter((p): p is AuditPartition => p !== null);
}

/**
 * Creates the partitions of the months of `from` to `from + monthsAhead` that are missing. Returns those
 * that exist afterwards by name; a month whose entries already sit in the default partition is left there
 * (null), as mandate_audit_partition() explains.
 */
export async function ensureAuditPartitions(from: Date = new Date(), monthsAhead = 2): Promise<Array<string | null>> {
  const c = await getPool().connect();
  try {
    await c.query("BEGIN");
    await c.query("SELECT pg_advisory_xact_lock($1)", [PARTITION_LOCK]);
    const out: Array<string | null> = [];
    for (let k = 0; k <= monthsAhead; k++) {
      const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + k, 1));
      out.push((await c.query<{ p: string | null }>("SELECT mandate_audit_partition($1) AS p", [day])).rows[0].p);
    }
    await c.query("COMMIT");
    return out;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

/** How far back the live log reaches: its oldest entry's time (null: empty). */
export async function oldestLiveEntry(): Promise<Date | null> {
  const r = await getPool().query<{ at: Date | null }>(`SELECT min(created_at) AS at FROM audit_entries`);
  return r.rows[0].at;
}

/** What the console says of the log's reach: the oldest live entry, and the archives before it. */
export async function liveLogReach(archiveDir: string): Promise<{ from: Date | null; archives: number; archivedFrom: string | null }> {
  const { manifests } = readManifests(archiveDir);
  return { from: await oldestLiveEntry(), archives: manifests.length, archivedFrom: manifests[0]?.from ?? null };
}
