/**
 * Read side of sessions for the console: the filtered list (keyset on last activity), one session
 * with its agent and delegations.
 */
import { getPool } from "../db/pool.ts";
import type { Page, TableState } from "../console/table/definition.ts";
import { runKeyset } from "../console/table/keyset.ts";
import { sessionsSource } from "./queries-filters.ts";

export interface SessionListRow {
  id: string;
  agentId: string;
  agentName: string;
  initiator: string | null;
  initiatorVerified: boolean;
  stepCount: number;
  denyCount: number;
  approvalCount: number;
  labels: string[];
  toolsUsed: string[];
  status: string;
  startedAt: string;
  lastActivityAt: string;
}

export interface SessionDetail extends SessionListRow {
  terminatedAt: string | null;
  terminatedReason: string | null;
  terminatedBy: string | null;
  agentSuspended: boolean;
}

const COLUMNS = `s.id, s.agent_id, a.name AS agent_name, s.initiator, s.initiator_verified, s.step_count, s.deny_count, s.approval_count,
  s.labels, s.tools_used, s.status, s.started_at, s.last_activity_at`;

function toRow(r: Record<string, any>): SessionListRow {
  return {
    id: r.id,
    agentId: r.agent_id,
    agentName: r.agent_name ?? r.agent_id,
    initiator: r.initiator,
    initiatorVerified: r.initiator_verified,
    stepCount: r.step_count,
    denyCount: r.deny_count,
    approvalCount: r.approval_count,
    labels: r.labels ?? [],
    toolsUsed: r.tools_used ?? [],
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    lastActivityAt: new Date(r.last_activity_at).toISOString(),
  };
}

/** One page of the session list for a table state (filters, sort, keyset cursor). */
export async function listSessions(state: TableState, pageSize = 50, now = Date.now()): Promise<Page<SessionListRow>> {
  const page = await runKeyset<Record<string, any>>(getPool(), sessionsSource(now), state, pageSize);
  return { ...page, rows: page.rows.map(toRow) };
}

export async function getSession(id: string): Promise<SessionDetail | null> {
  const r = await getPool().query(
    `SELECT ${COLUMNS}, s.terminated_at, s.terminated_reason, s.terminated_by, a.suspended_at
       FROM sessions s LEFT JOIN agents a ON a.id = s.agent_id WHERE s.id = $1`,
    [id],
  );
  const x = r.rows[0];
  if (!x) return null;
  return {
    ...toRow(x),
    terminatedAt: x.terminated_at ? new Date(x.terminated_at).toISOString() : null,
    terminatedReason: x.terminated_reason,
    terminatedBy: x.terminated_by,
    agentSuspended: x.suspended_at !== null,
  };
}

/** Values for the list's filter menus: agents, initiators and labels seen in sessions. */
export async function sessionFilterOptions(): Promise<{ agents: Array<{ id: string; name: string }>; initiators: string[]; labels: string[] }> {
  const pool = getPool();
  const [agents, initiators, labels] = await Promise.all([
    pool.query(`SELECT id, name FROM agents ORDER BY name`),
    pool.query(`SELECT DISTINCT initiator FROM sessions WHERE initiator IS NOT NULL ORDER BY 1 LIMIT 200`),
    pool.query(`SELECT DISTINCT unnest(labels) AS label FROM tools ORDER BY 1`),
  ]);
  return { agents: agents.rows, initiators: initiators.rows.map((r) => r.initiator), labels: labels.rows.map((r) => r.label) };
}

/** The agents that acted in a session (the owner and any delegated agent), with their suspension. */
export async function sessionAgents(sessionId: string): Promise<Array<{ name: string; suspended: boolean }>> {
  const r = await getPool().query(
    `SELECT a.name, a.suspended_at IS NOT NULL AS suspended FROM agents a
      WHERE a.id = (SELECT agent_id FROM sessions WHERE id = $1)
         OR a.id IN (SELECT agent_id FROM delegations WHERE session_id = $1)
      ORDER BY a.name`,
    [sessionId],
  );
  return r.rows;
}
