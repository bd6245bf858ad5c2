/**
 * A session's timeline, read in windows of steps (keyset on step through the (session_id, step)
 * index), so a 10,000-step session is loaded page by page as the analyst scrolls; and the session's
 * delegations (the chain shown beside the timeline). Other agents' attempts in the session have no
 * step and are not in it (foreign-attempts.ts lists them).
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row, WithJson } from "../db/rows.ts";
import { SERVER_ACTIONS } from "../api/mcp-actions.ts";
import { toTimelineStep, type EntryRow, type TimelineStep } from "./timeline-step.ts";
import type { TimelineShow } from "./timeline-filter.ts";

export interface StepFilter {
  agent?: string;
  tool?: string;
  outcome?: string;
  /** One of the timeline's filter chips (timeline-filter.ts). */
  show?: TimelineShow;
}

const JSON_STRINGS = (x: string) => `jsonb_array_elements_text(CASE WHEN jsonb_typeof(${x}) = 'array' THEN ${x} ELSE '[]'::jsonb END)`;
const BEFORE = `COALESCE(e.data->'session'->'labels_before', '[]'::jsonb)`;

/**
 * The chips as SQL over a session's decision entries `e` (the same rules as toTimelineStep: an approval
 * asked for or used, a delegated call, an allowed step that added a label — its tool's, unless the method
 * is about a whole server, or one observed in its result). `servers()` binds SERVER_ACTIONS (only when used:
 * PostgreSQL refuses a parameter it cannot type).
 */
export function showCondition(show: TimelineShow, servers: () => string): string {
  switch (show) {
    case "deny":
      return `e.outcome = 'deny'`;
    case "approval":
      return `(e.outcome = 'require_approval' OR jsonb_typeof(e.data->'approval') = 'object')`;
    case "delegation":
      return `jsonb_typeof(e.data->'delegation') = 'object'`;
    case "labels":
      return `(e.outcome = 'allow' AND (
        (NOT COALESCE(e.data->>'method', 'tools/call') = ANY(${servers()}::text[])
          AND EXISTS (SELECT 1 FROM ${JSON_STRINGS("e.data->'tool'->'labels'")} l WHERE NOT ${BEFORE} ? l))
        OR EXISTS (SELECT 1 FROM audit_entries o, ${JSON_STRINGS("o.data->'added'")} l
                    WHERE o.decision_id = e.decision_id AND o.action = 'outcome.labels_observed' AND NOT ${BEFORE} ? l)))`;
  }
}

/** How many of a session's steps each chip shows. */
export async function timelineCounts(sessionId: string): Promise<Record<TimelineShow, number>> {
  const c = (show: TimelineShow) => `count(*) FILTER (WHERE ${showCondition(show, () => "$2")})::int AS ${show}`;
  const r = await getPool().query<Record<TimelineShow, number>>(
    `SELECT ${c("deny")}, ${c("approval")}, ${c("labels")}, ${c("delegation")}
       FROM audit_entries e WHERE e.session_id = $1 AND e.kind = 'decision' AND e.step IS NOT NULL`,
    [sessionId, SERVER_ACTIONS],
  );
  return r.rows[0];
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
  if (filter.show) extra.push(showCondition(filter.show, () => `$${values.push(SERVER_ACTIONS)}`));
  values.push(lim + 1);
  const pool = getPool();
  const d = await pool.query<EntryRow>(
    `SELECT ${ENTRY} FROM audit_entries e
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
