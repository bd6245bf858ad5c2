/**
 * Read side of the audit log for the explorer: filtered, newest first, keyset-paginated on
 * (created_at, chain_id, seq) — never OFFSET, so a deep page costs what the first page costs.
 * (lib/console/table/keyset.ts pages on one sort column plus one id; the log's unique key is two
 * columns, and a composite id expression would keep PostgreSQL from starting the index scan at the
 * cursor, so the log has its own three-part cursor.)
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { decodeCursor, toPage, type Page } from "../analytics/cursor.ts";
import { auditWhere, type AuditFilters } from "./queries-filters.ts";
import { countRows } from "../console/table/count.ts";

export interface AuditListRow {
  chainId: string;
  seq: number;
  createdAt: string;
  kind: string;
  action: string;
  actor: string;
  sessionId: string | null;
  step: number | null;
  agentId: string | null;
  tool: string | null;
  outcome: string | null;
  decisionId: string | null;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
}

export const AUDIT_COLUMNS = `chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data`;

export function toAuditRow(r: Row<"audit_entries">): AuditListRow {
  return {
    chainId: r.chain_id,
    seq: Number(r.seq),
    createdAt: r.created_at.toISOString(),
    kind: r.kind,
    action: r.action,
    actor: r.actor,
    sessionId: r.session_id,
    step: r.step,
    agentId: r.agent_id,
    tool: r.tool,
    outcome: r.outcome,
    decisionId: r.decision_id,
    hash: r.hash,
    prevHash: r.prev_hash,
    data: (r.data ?? {}) as AuditListRow["data"],
  };
}

export const auditKey = (r: { createdAt: string; chainId: string; seq: number }) => [r.createdAt, r.chainId, r.seq];

/**
 * The SQL of one keyset page, `limit + 1` rows so the caller knows whether another page exists.
 * `forward` reads in the list's order (newest first unless `asc`) after `key`; backward reads the
 * rows before `key` in reverse order (toPage flips them back).
 */
export function auditPageQuery(f: AuditFilters, key: Array<string | number> | null, forward: boolean, limit: number, asc = false, columns = AUDIT_COLUMNS) {
  const where = auditWhere(f);
  const values = [...where.values];
  const up = asc === forward; // read in ascending order?
  let keyset = "";
  if (key) {
    const n = values.length;
    values.push(key[0], key[1], key[2]);
    const [op, bound] = up ? [">", ">="] : ["<", "<="];
    // The first condition lets PostgreSQL start the index scan at the cursor; the row comparison breaks ties.
    keyset = ` AND created_at ${bound} $${n + 1}::timestamptz AND (created_at, chain_id, seq) ${op} ($${n + 1}::timestamptz, $${n + 2}::uuid, $${n + 3}::bigint)`;
  }
  const order = up ? "ASC" : "DESC";
  values.push(limit + 1);
  const sort = `ORDER BY created_at ${order}, chain_id ${order}, seq ${order}`;
  // Keys first, rows after: the filters and the order are answered by one index (each filter's index
  // carries the other filters' columns and the key, migration 20261212010000), without reading a heap
  // row that a filter then throws away; only the page's rows are read, by primary key (created_at in the
  // join prunes the other partitions).
  return {
    text: `SELECT ${columns} FROM (SELECT created_at, chain_id, seq FROM audit_entries WHERE ${where.sql}${keyset} ${sort} LIMIT $${values.length}) k
            JOIN audit_entries USING (created_at, chain_id, seq) ${sort}`,
    values,
  };
}

export async function listAuditEntries(
  f: AuditFilters,
  opts: { cursor?: { value: string; direction: "after" | "before" } | null; asc?: boolean; limit?: number } = {},
): Promise<Page<AuditListRow>> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const key = decodeCursor(opts.cursor?.value, ["t", "s", "n"]);
  const forward = !key || opts.cursor?.direction !== "before";
  const q = auditPageQuery(f, key, forward, limit, opts.asc ?? false);
  const where = auditWhere(f);
  const [r, count] = await Promise.all([
    getPool().query<Row<"audit_entries">>(q.text, q.values),
    countRows(getPool(), "audit_entries", where.sql, where.values),
  ]);
  return { ...toPage(r.rows.map(toAuditRow), limit, forward ? "next" : "prev", key !== null, auditKey), count };
}

/** One entry by its place in its chain (the explorer's drawer opens an entry this way: `?entry=`). */
export async function getAuditEntry(chain: string, seq: number): Promise<AuditListRow | null> {
  const r = await getPool().query<Row<"audit_entries">>(`SELECT ${AUDIT_COLUMNS} FROM audit_entries WHERE chain_id = $1::uuid AND seq = $2`, [chain, seq]);
  return r.rows[0] ? toAuditRow(r.rows[0]) : null;
}

/** The distinct values the explorer offers in its filter menus (small tables only). */
export async function auditFilterOptions(): Promise<{ agents: Array<{ id: string; name: string }>; tools: string[] }> {
  const pool = getPool();
  const [agents, tools] = await Promise.all([
    pool.query<Row<"agents", "id" | "name">>(`SELECT id, name FROM agents ORDER BY name`),
    pool.query<{ key: string }>(
      `SELECT s.name || '/' || (CASE t.kind WHEN 'prompt' THEN 'prompt:' ELSE '' END) || t.name AS key FROM tools t JOIN tool_servers s ON s.id = t.server_id ORDER BY 1`,
    ),
  ]);
  return { agents: agents.rows, tools: tools.rows.map((r) => r.key) };
}
