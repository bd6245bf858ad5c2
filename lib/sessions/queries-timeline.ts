/**
 * A session's timeline, read in windows of steps (keyset on step through the (session_id, step)
 * index), so a 10,000-step session is loaded page by page as the analyst scrolls; and the session's
 * delegations (the chain shown beside the timeline). Other agents' attempts in the session have no
 * step and are not in it (foreign-attempts.ts lists them).
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";
import { toTimelineStep, type EntryRow, type TimelineStep } from "./timeline-step.ts";

export interface StepFilter {
  agent?: string;
  tool?: string;
  outcome?: string;
}

const ENTRY = `chain_id, seq, kind, action, actor, step, agent_id, tool, outcome, decision_id, created_at, data`;

/** Steps after `afterStep` (exclusive), in step order, at most `limit`. */
export async function timelineSteps(
  sessionId: string,
  afterStep: number,
  limit: number,
  filter: StepFilter = {},
): Promise<{ steps: TimelineStep[]; nextAfter: number | null }> {
  const lim = Math.min(Math.max(limit, 1), 1000);
  const values: unknown[] = [sessionId, afterStep];
  const extra: string[] = [];
  if (filter.agent) extra.push(`agent_id = $${values.push(filter.agent)}::uuid`);
  if (filter.tool) extra.push(`tool = $${values.push(filter.tool)}`);
  if (filter.outcome) extra.push(`outcome = $${values.push(filter.outcome)}`);
  values.push(lim + 1);
  const pool = getPool();
  const d = await pool.query<EntryRow>(
    `SELECT ${ENTRY} FROM audit_entries
      WHERE session_id = $1 AND step > $2 AND kind = 'decision'${extra.map((c) => ` AND ${c}`).join("")}
      ORDER BY step LIMIT $${values.length}`,
    values,
  );
  const decisions = d.rows.slice(0, lim);
  if (!decisions.length) return { steps: [], nextAfter: null };
  const steps = decisions.map((x) => x.step as number);
  // Outcome events and approval decisions name the decision they belong to.
  const rel = await pool.query<EntryRow>(
    `SELECT ${ENTRY} FROM audit_entries WHERE decision_id = ANY($1::uuid[]) AND kind <> 'decision' ORDER BY created_at, seq`,
    [decisions.map((x) => x.decision_id).filter(Boolean)],
  );
  const byDecision = new Map<string, EntryRow[]>();
  for (const r of rel.rows) {
    const list = byDecision.get(r.decision_id as string) ?? [];
    list.push(r);
    byDecision.set(r.decision_id as string, list);
  }
  return {
    steps: decisions.map((x) => toTimelineStep(x, byDecision.get(x.decision_id as string) ?? [])),
    nextAfter: d.rows.length > lim ? steps[steps.length - 1] : null,
  };
}

export interface DelegationRow {
  id: string;
  parentId: string | null;
  subject: string;
  agentId: string;
  agentName: string;
  chain: Array<{ agent_id?: string; name?: string }>;
  depth: number;
  scopes: string[];
  audience: string | null;
  expiresAt: string;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string;
  /** Its call budget and the calls spent under it and its descendants (lib/delegation/budget.ts); null without a budget. */
  maxCalls: number | null;
  callsUsed: number | null;
}

export async function sessionDelegations(sessionId: string): Promise<DelegationRow[]> {
  const r = await getPool().query<
    WithJson<Row<"delegations">, { chain: DelegationRow["chain"] | null }> & { agent_name: Col<"agents", "name"> | null; calls_used: number | null }
  >(
    `SELECT d.*, a.name AS agent_name, (SELECT (s.counters->'d'->>d.id)::int FROM sessions s WHERE s.id = d.session_id) AS calls_used
       FROM delegations d LEFT JOIN agents a ON a.id = d.agent_id
      WHERE d.session_id = $1 ORDER BY d.depth, d.created_at LIMIT 500`,
    [sessionId],
  );
  return r.rows.map((x) => ({
    id: x.id,
    parentId: x.parent_id,
    subject: x.subject,
    agentId: x.agent_id,
    agentName: x.agent_name ?? x.agent_id,
    chain: Array.isArray(x.chain) ? x.chain : [],
    depth: x.depth,
    scopes: x.scopes ?? [],
    audience: x.audience,
    expiresAt: new Date(x.expires_at).toISOString(),
    revokedAt: x.revoked_at ? new Date(x.revoked_at).toISOString() : null,
    createdAt: new Date(x.created_at).toISOString(),
    createdBy: x.created_by,
    maxCalls: x.max_calls,
    callsUsed: x.max_calls === null ? null : (x.calls_used ?? 0),
  }));
}

export interface CallGroup {
  agentId: string | null;
  agent: string;
  tool: string;
  outcome: string;
  count: number;
  firstStep: number;
  lastStep: number;
}

/** The session's steps grouped by calling agent, tool and outcome (the graph's edges; foreign attempts have no step). */
export async function sessionCallGroups(sessionId: string): Promise<CallGroup[]> {
  const r = await getPool().query<Row<"audit_entries", "agent_id" | "actor" | "tool" | "outcome"> & { n: number; first_step: number; last_step: number }>(
    `SELECT agent_id, actor, tool, outcome, count(*)::int AS n, min(step) AS first_step, max(step) AS last_step
       FROM audit_entries WHERE session_id = $1 AND kind = 'decision' AND step IS NOT NULL
      GROUP BY agent_id, actor, tool, outcome ORDER BY min(step)`,
    [sessionId],
  );
  return r.rows.map((x) => ({
    agentId: x.agent_id,
    agent: String(x.actor).replace(/^agent:/, ""),
    tool: x.tool ?? "?",
    outcome: x.outcome ?? "unknown",
    count: x.n,
    firstStep: x.first_step,
    lastStep: x.last_step,
  }));
}
