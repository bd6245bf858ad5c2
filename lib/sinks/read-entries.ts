/** What the deliverer reads: committed audit rows only, after a sink's cursor, in chain order. */
import { getPool } from "../db/pool.ts";
import type { SinkEntry } from "./ocsf/map.ts";

/** Chains with entries past the sink's cursor (a chain without a cursor: from its first entry). */
export async function pendingChains(sinkId: string): Promise<Array<{ chain_id: string; after: number }>> {
  const r = await getPool().query<{ chain_id: string; after: string }>(
    `SELECT c.id AS chain_id, COALESCE(k.last_seq, 0) AS after
     FROM audit_chains c LEFT JOIN audit_sink_cursors k ON k.sink_id = $1 AND k.chain_id = c.id
     WHERE EXISTS (SELECT 1 FROM audit_entries e WHERE e.chain_id = c.id AND e.seq > COALESCE(k.last_seq, 0))
     ORDER BY c.started_at, c.id`,
    [sinkId],
  );
  return r.rows.map((x) => ({ chain_id: x.chain_id, after: Number(x.after) }));
}

/** Up to `limit` entries of the chain after `after`, in seq order. */
export async function readAfter(chainId: string, after: number, limit: number): Promise<SinkEntry[]> {
  const r = await getPool().query<Omit<SinkEntry, "seq" | "step"> & { seq: string; step: number | null }>(
    `SELECT chain_id, seq, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, hash, data
     FROM audit_entries WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [chainId, after, limit],
  );
  return r.rows.map((e) => ({ ...e, seq: Number(e.seq) }));
}
