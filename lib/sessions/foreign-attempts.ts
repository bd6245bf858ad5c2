/**
 * Foreign attempts: requests in a session by an agent that does not own it and acted under no valid
 * delegation from its owner. Each was denied before policy (mandate.session_not_owned, or an earlier
 * built-in reason) and recorded in the audit log with the targeted session and the attempting agent
 * but no step: it is no step of the session's timeline, and is listed apart, newest first, through the
 * (session_id, step) index (step IS NULL).
 */
import { getPool } from "../db/pool.ts";
import type { EntryRow, Reason } from "./timeline-step.ts";

export interface ForeignAttempt {
  at: string;
  decisionId: string | null;
  chainId: string;
  seq: number;
  agentId: string | null;
  agent: string;
  tool: string;
  reasons: Reason[];
  /** The delegation chain the attempt presented, when one verified (not from the session's owner). */
  delegation: string[] | null;
}

export function toForeignAttempt(r: EntryRow): ForeignAttempt {
  const d = r.data ?? {};
  const chain = Array.isArray(d.delegation?.chain) ? (d.delegation.chain as Array<{ name?: string }>) : null;
  return {
    at: new Date(r.created_at).toISOString(),
    decisionId: r.decision_id,
    chainId: r.chain_id,
    seq: Number(r.seq),
    agentId: r.agent_id,
    agent: typeof d.agent?.name === "string" ? d.agent.name : r.actor.replace(/^agent:/, ""),
    tool: r.tool ?? "",
    reasons: Array.isArray(d.reasons) ? d.reasons : [],
    delegation: chain ? chain.map((c) => c.name ?? "?") : null,
  };
}

/** The newest `limit` foreign attempts in a session, and how many there are in all. */
export async function foreignAttempts(sessionId: string, limit = 50): Promise<{ attempts: ForeignAttempt[]; total: number }> {
  const pool = getPool();
  const where = `session_id = $1 AND step IS NULL AND kind = 'decision'`;
  const [rows, count] = await Promise.all([
    pool.query<EntryRow>(
      `SELECT chain_id, seq, kind, action, actor, step, agent_id, tool, outcome, decision_id, created_at, data
         FROM audit_entries WHERE ${where} ORDER BY created_at DESC, chain_id, seq DESC LIMIT $2`,
      [sessionId, Math.min(Math.max(limit, 1), 500)],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE ${where}`, [sessionId]),
  ]);
  return { attempts: rows.rows.map(toForeignAttempt), total: count.rows[0].n };
}
