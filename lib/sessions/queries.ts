/**
 * Read side of sessions for the console: the filtered list (keyset on last activity), one session
 * with its agent and delegations.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Nullable, Row } from "../db/rows.ts";
import type { Page, TableState } from "../console/table/definition.ts";
import { runKeyset } from "../console/table/keyset.ts";
import { needsMeSource, sessionsSource } from "./queries-filters.ts";
import { explainRisk, riskParts, riskScore, type RiskParts } from "./risk.ts";
import { sessionFields, type SessionRow } from "./session-row.ts";

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
  /** The risk score now (lib/sessions/risk.ts), its parts and their explanation. */
  risk: { score: number; parts: RiskParts; explain: string };
}

export interface SessionDetail extends SessionListRow {
  terminatedAt: string | null;
  terminatedReason: string | null;
  terminatedBy: string | null;
  agentSuspended: boolean;
}

/** The list's columns (sessions s LEFT JOIN agents a). */
const COLUMNS = sessionsSource().select;

type ListRow = SessionRow &
  Row<"sessions", "deny_count" | "approval_count" | "last_activity_at"> & {
    agent_name: Col<"agents", "name"> | null;
    risky_tools: number;
    delegation_depth: number;
  };

function toRow(r: ListRow, now: number): SessionListRow {
  const f = sessionFields(r);
  const parts = riskParts({
    steps: f.stepCount,
    denies: r.deny_count,
    approvals: r.approval_count,
    labels: f.labels,
    riskyTools: r.risky_tools,
    delegationDepth: r.delegation_depth,
  });
  const score = riskScore(parts.base, r.last_activity_at, now);
  return {
    ...f,
    agentName: r.agent_name ?? r.agent_id,
    denyCount: r.deny_count,
    approvalCount: r.approval_count,
    startedAt: f.startedAt.toISOString(),
    lastActivityAt: r.last_activity_at.toISOString(),
    risk: { score, parts, explain: explainRisk(parts, score) },
  };
}

/** One page of the session list for a table state (filters, sort, keyset cursor). */
export async function listSessions(state: TableState, pageSize = 50, now = Date.now()): Promise<Page<SessionListRow>> {
  const page = await runKeyset<ListRow>(getPool(), sessionsSource(now), state, pageSize);
  return { ...page, rows: page.rows.map((r) => toRow(r, now)) };
}

/** One page of "Needs me now": active sessions with any risk, idle under the horizon (riskiest first by default). */
export async function listNeedsMe(state: TableState, pageSize = 50, now = Date.now()): Promise<Page<SessionListRow>> {
  const page = await runKeyset<ListRow>(getPool(), needsMeSource(now), state, pageSize);
  return { ...page, rows: page.rows.map((r) => toRow(r, now)) };
}

export async function getSession(id: string): Promise<SessionDetail | null> {
  const r = await getPool().query<ListRow & Row<"sessions", "terminated_at" | "terminated_reason" | "terminated_by"> & Nullable<Row<"agents", "suspended_at">>>(
    `SELECT ${COLUMNS}, s.terminated_at, s.terminated_reason, s.terminated_by, a.suspended_at
       FROM ${sessionsSource().from} WHERE s.id = $1`,
    [id],
  );
  const x = r.rows[0];
  if (!x) return null;
  return {
    ...toRow(x, Date.now()),
    terminatedAt: x.terminated_at ? x.terminated_at.toISOString() : null,
    terminatedReason: x.terminated_reason,
    terminatedBy: x.terminated_by,
    agentSuspended: x.suspended_at !== null,
  };
}

/** Values for the list's filter menus: agents, initiators and labels seen in sessions. */
export async function sessionFilterOptions(): Promise<{ agents: Array<{ id: string; name: string }>; initiators: string[]; labels: string[] }> {
  const pool = getPool();
  const [agents, initiators, labels] = await Promise.all([
    pool.query<Row<"agents", "id" | "name">>(`SELECT id, name FROM agents ORDER BY name`),
    pool.query<Row<"sessions", "initiator">>(`SELECT DISTINCT initiator FROM sessions WHERE initiator IS NOT NULL ORDER BY 1 LIMIT 200`),
    pool.query<{ label: string }>(`SELECT DISTINCT unnest(labels) AS label FROM tools ORDER BY 1`),
  ]);
  return { agents: agents.rows, initiators: initiators.rows.map((r) => r.initiator as string), labels: labels.rows.map((r) => r.label) };
}

/** The agents that acted in a session (the owner and any delegated agent), with their suspension. */
export async function sessionAgents(sessionId: string): Promise<Array<{ name: string; suspended: boolean }>> {
  const r = await getPool().query<Row<"agents", "name"> & { suspended: boolean }>(
    `SELECT a.name, a.suspended_at IS NOT NULL AS suspended FROM agents a
      WHERE a.id = (SELECT agent_id FROM sessions WHERE id = $1)
         OR a.id IN (SELECT agent_id FROM delegations WHERE session_id = $1)
      ORDER BY a.name`,
    [sessionId],
  );
  return r.rows;
}
