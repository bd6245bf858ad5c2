/**
 * The dashboard's reads. The decision charts come from ONE grouped scan of the window (bucket,
 * outcome, tool, agent), which the pure prepare* functions turn into every chart; sessions active
 * now and pending approvals are small indexed reads.
 */
import { getPool } from "../db/pool.ts";
import type { Col, NotNull, Row } from "../db/rows.ts";

export interface DecisionFact {
  bucket: string;
  outcome: string;
  tool: string;
  agentId: string | null;
  n: number;
}

/** The window's decisions grouped by bucket, outcome, tool and agent; only one agent's with `agentId` (its index). */
export async function decisionFacts(from: Date, to: Date, bucketMs: number, agentId?: string): Promise<DecisionFact[]> {
  const r = await getPool().query<NotNull<Row<"audit_entries", "outcome">> & Row<"audit_entries", "agent_id"> & { bucket: Date; tool: string; n: number }>(
    `SELECT date_bin(make_interval(secs => $3::double precision / 1000), created_at, $1::timestamptz) AS bucket,
            outcome, COALESCE(tool, '?') AS tool, agent_id, count(*)::int AS n
       FROM audit_entries
      WHERE kind = 'decision' AND created_at >= $1 AND created_at < $2${agentId ? " AND agent_id = $4::uuid" : ""}
      GROUP BY 1, 2, 3, 4`,
    [from.toISOString(), to.toISOString(), bucketMs, ...(agentId ? [agentId] : [])],
  );
  return r.rows.map((x) => ({ bucket: x.bucket.toISOString(), outcome: x.outcome, tool: x.tool, agentId: x.agent_id, n: x.n }));
}

/** When the first decision was made (null: none yet): where "all time" starts (the created_at index). */
export async function firstDecisionAt(): Promise<Date | null> {
  const r = await getPool().query<{ at: Date | null }>(`SELECT created_at AS at FROM audit_entries WHERE kind = 'decision' ORDER BY created_at LIMIT 1`);
  return r.rows[0]?.at ?? null;
}

/** Sessions an agent opened in the window, by bucket of their start. */
export async function sessionsStarted(agentId: string, from: Date, to: Date, bucketMs: number): Promise<Array<{ bucket: string; n: number }>> {
  const r = await getPool().query<{ bucket: Date; n: number }>(
    `SELECT date_bin(make_interval(secs => $3::double precision / 1000), started_at, $1::timestamptz) AS bucket, count(*)::int AS n
       FROM sessions WHERE agent_id = $4::uuid AND started_at >= $1 AND started_at < $2 GROUP BY 1`,
    [from.toISOString(), to.toISOString(), bucketMs, agentId],
  );
  return r.rows.map((x) => ({ bucket: x.bucket.toISOString(), n: x.n }));
}

/** When the agent's latest decision was made (null: never). */
export async function lastDecisionAt(agentId: string): Promise<string | null> {
  const r = await getPool().query<{ at: Date | null }>(
    `SELECT created_at AS at FROM audit_entries WHERE agent_id = $1::uuid ORDER BY created_at DESC LIMIT 1`,
    [agentId],
  );
  return r.rows[0]?.at ? r.rows[0].at.toISOString() : null;
}

export interface ToolClass {
  key: string;
  risk: string | null;
  status: string;
}

export async function toolClasses(): Promise<ToolClass[]> {
  const r = await getPool().query<Row<"tools", "risk" | "status"> & { key: string }>(
    `SELECT s.name || '/' || (CASE t.kind WHEN 'prompt' THEN 'prompt:' ELSE '' END) || t.name AS key, t.risk, t.status FROM tools t JOIN tool_servers s ON s.id = t.server_id`,
  );
  return r.rows.map((x) => ({ key: x.key, risk: x.status === "approved" ? x.risk : null, status: x.status }));
}

export async function agentNames(): Promise<Map<string, string>> {
  const r = await getPool().query<Row<"agents", "id" | "name">>(`SELECT id, name FROM agents`);
  return new Map(r.rows.map((x) => [x.id, x.name]));
}

export interface ActiveSession {
  id: string;
  agent: string;
  initiator: string | null;
  steps: number;
  lastActivityAt: string;
}

/** Sessions with a step in the last `windowMs` that are not terminated. */
export async function activeSessions(windowMs: number, limit = 5): Promise<{ count: number; latest: ActiveSession[] }> {
  const since = new Date(Date.now() - windowMs).toISOString();
  const pool = getPool();
  const [c, l] = await Promise.all([
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE last_activity_at >= $1 AND status = 'active'`, [since]),
    pool.query<Row<"sessions", "id" | "initiator" | "step_count" | "last_activity_at"> & { agent: Col<"agents", "name"> | null }>(
      `SELECT s.id, a.name AS agent, s.initiator, s.step_count, s.last_activity_at FROM sessions s LEFT JOIN agents a ON a.id = s.agent_id
        WHERE s.last_activity_at >= $1 AND s.status = 'active' ORDER BY s.last_activity_at DESC LIMIT $2`,
      [since, limit],
    ),
  ]);
  return {
    count: c.rows[0].n,
    latest: l.rows.map((x) => ({
      id: x.id,
      agent: x.agent ?? "?",
      initiator: x.initiator,
      steps: x.step_count,
      lastActivityAt: x.last_activity_at.toISOString(),
    })),
  };
}

export interface PendingApproval {
  id: string;
  createdAt: string;
  expiresAt: string;
}

export async function pendingApprovalTimes(): Promise<PendingApproval[]> {
  const r = await getPool().query<Row<"approvals", "id" | "created_at" | "expires_at">>(
    `SELECT id, created_at, expires_at FROM approvals WHERE status = 'pending' AND expires_at > now() ORDER BY created_at LIMIT 1000`,
  );
  return r.rows.map((x) => ({ id: x.id, createdAt: x.created_at.toISOString(), expiresAt: x.expires_at.toISOString() }));
}
