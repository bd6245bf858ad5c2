/**
 * Reading stored delegations (for the console's delegation graph and for automation): by session, or
 * one delegation with its ancestors and descendants.
 */
import { getPool } from "../db/pool.ts";
import { notFound } from "../errors.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";

export interface DelegationRow {
  id: string;
  parent_id: string | null;
  session_id: string | null;
  subject: string;
  agent: { id: string; name: string | null };
  chain: Array<{ agent_id: string; name: string }>;
  depth: number;
  scopes: string[];
  audience: string | null;
  status: "active" | "expired" | "revoked";
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
  created_by: string;
  /** Its call budget (lib/delegation/budget.ts), the calls spent under it and its descendants, and what is left; null without a budget. */
  max_calls: number | null;
  calls_used: number | null;
  remaining_calls: number | null;
}

const COLUMNS = `d.id, d.parent_id, d.session_id, d.subject, d.agent_id, a.name AS agent_name, d.chain, d.depth, d.scopes,
  d.audience, d.expires_at, d.revoked_at, d.created_at, d.created_by, d.max_calls,
  (SELECT (s.counters->'d'->>d.id)::int FROM sessions s WHERE s.id = d.session_id) AS calls_used`;

type StoredDelegation = WithJson<
  Row<
    "delegations",
    | "id"
    | "parent_id"
    | "session_id"
    | "subject"
    | "agent_id"
    | "chain"
    | "depth"
    | "scopes"
    | "audience"
    | "expires_at"
    | "revoked_at"
    | "created_at"
    | "created_by"
    | "max_calls"
  >,
  { chain: DelegationRow["chain"] }
> & { agent_name: Col<"agents", "name"> | null; calls_used: number | null };

function toRow(r: StoredDelegation): DelegationRow {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  const status = r.revoked_at ? "revoked" : r.expires_at.getTime() <= Date.now() ? "expired" : "active";
  return {
    id: r.id,
    parent_id: r.parent_id,
    session_id: r.session_id,
    subject: r.subject,
    agent: { id: r.agent_id, name: r.agent_name ?? null },
    chain: r.chain,
    depth: r.depth,
    scopes: r.scopes ?? [],
    audience: r.audience,
    status,
    expires_at: iso(r.expires_at)!,
    revoked_at: iso(r.revoked_at),
    created_at: iso(r.created_at)!,
    created_by: r.created_by,
    max_calls: r.max_calls,
    calls_used: r.max_calls === null ? null : (r.calls_used ?? 0),
    remaining_calls: r.max_calls === null ? null : Math.max(0, r.max_calls - (r.calls_used ?? 0)),
  };
}

export async function listDelegations(q: { session_id?: string; subject?: string; limit: number }): Promise<{ delegations: DelegationRow[] }> {
  const r = await getPool().query<StoredDelegation>(
    `SELECT ${COLUMNS} FROM delegations d LEFT JOIN agents a ON a.id = d.agent_id
      WHERE ($1::text IS NULL OR d.session_id = $1) AND ($2::text IS NULL OR d.subject = $2)
      ORDER BY d.created_at DESC, d.id LIMIT $3`,
    [q.session_id ?? null, q.subject ?? null, q.limit],
  );
  return { delegations: r.rows.map(toRow) };
}

/** One delegation, the chain of delegations it came from, and everything delegated from it. */
export async function getDelegationGraph(id: string): Promise<{ delegation: DelegationRow; ancestors: DelegationRow[]; descendants: DelegationRow[] }> {
  const pool = getPool();
  const up = await pool.query<StoredDelegation>(
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, 0 AS lvl FROM delegations WHERE id = $1
       UNION ALL SELECT d.id, d.parent_id, up.lvl + 1 FROM delegations d JOIN up ON d.id = up.parent_id WHERE up.lvl < 20)
     SELECT ${COLUMNS} FROM up JOIN delegations d ON d.id = up.id LEFT JOIN agents a ON a.id = d.agent_id ORDER BY up.lvl`,
    [id],
  );
  if (!up.rowCount) throw notFound(`delegation ${id}`);
  const down = await pool.query<StoredDelegation>(
    `WITH RECURSIVE down AS (
       SELECT id, 0 AS lvl FROM delegations WHERE parent_id = $1
       UNION SELECT d.id, down.lvl + 1 FROM delegations d JOIN down ON d.parent_id = down.id WHERE down.lvl < 20)
     SELECT ${COLUMNS} FROM down JOIN delegations d ON d.id = down.id LEFT JOIN agents a ON a.id = d.agent_id ORDER BY down.lvl, d.created_at`,
    [id],
  );
  const rows = up.rows.map(toRow);
  return { delegation: rows[0], ancestors: rows.slice(1).reverse(), descendants: down.rows.map(toRow) };
}
