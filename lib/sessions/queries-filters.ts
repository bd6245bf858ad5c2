/**
 * The session list's table, defined once: filters (agent, initiator, outcome, data labels, status; the
 * time range comes from the range picker), sorts, and their SQL mapping for keyset pagination (lib/console/table/keyset.ts). Dashboard
 * drill-downs link here with sessionsHref().
 */
import type { SearchParams, TableDefinition } from "../console/table/definition.ts";
import type { KeysetSource } from "../console/table/keyset.ts";
import { listHref } from "../analytics/links.ts";
import { resolveTime } from "../analytics/time-range.ts";
import { RISK, RISKY_TOOL_KEYS, riskSql } from "./risk.ts";

export const SESSION_OUTCOMES = [
  { value: "denied", label: "had a deny" },
  { value: "approval", label: "needed an approval" },
  { value: "clean", label: "all allowed" },
];

export function sessionsTableDefinition(o: {
  agents: Array<{ id: string; name: string }>;
  initiators: string[];
  labels: string[];
  sp: SearchParams;
}): TableDefinition {
  return {
    id: "sessions",
    filters: [
      { id: "agent", label: "Agent", kind: "select", options: o.agents.map((a) => ({ value: a.id, label: a.name })) },
      { id: "initiator", label: "Initiator", kind: "select", options: o.initiators.map((i) => ({ value: i, label: i })) },
      { id: "outcome", label: "Outcome", kind: "select", options: SESSION_OUTCOMES },
      { id: "label", label: "Data labels", kind: "multi", options: o.labels.map((l) => ({ value: l, label: l.replace(/_/g, " ") })) },
      {
        id: "status",
        label: "Status",
        kind: "select",
        options: [
          { value: "active", label: "active" },
          { value: "terminated", label: "terminated" },
        ],
      },
    ],
    sorts: [
      { id: "lastActivity", label: "Last activity" },
      { id: "started", label: "Started" },
      { id: "steps", label: "Steps" },
      { id: "denies", label: "Denies" },
      { id: "risk", label: "Risk" },
    ],
    defaultSort: { id: "lastActivity", dir: "desc" },
    range: { label: "Active" },
    search: { placeholder: "Session id" },
    pageSize: 50,
  };
}

/**
 * The risk score's inputs per session (lib/sessions/risk.ts): the distinct risky tools among the tools it
 * used (counted only when the array overlaps them) and its deepest delegation (one grouped read of the
 * small delegations table); `rk.h` is the undecayed score in hundredths. `OFFSET 0` keeps each LATERAL a subquery of
 * its own, evaluated once per row (inlined, the score would be computed again in the sort and the filter).
 */
const RISK_SQL = riskSql("rk_in.risky_tools", "rk_in.delegation_depth");
const SESSIONS_FROM = `sessions s LEFT JOIN agents a ON a.id = s.agent_id
  CROSS JOIN (SELECT COALESCE(array_agg(k), '{}') AS keys FROM (${RISKY_TOOL_KEYS}) rt(k)) risky
  LEFT JOIN (SELECT session_id, max(depth) AS depth FROM delegations WHERE session_id IS NOT NULL GROUP BY session_id) dd ON dd.session_id = s.id
  CROSS JOIN LATERAL (SELECT CASE WHEN s.tools_used && risky.keys THEN (SELECT count(*)::int FROM unnest(s.tools_used) u WHERE u = ANY(risky.keys)) ELSE 0 END
                             AS risky_tools, COALESCE(dd.depth, 0) AS delegation_depth OFFSET 0) rk_in
  CROSS JOIN LATERAL (SELECT ${RISK_SQL.hundredths} AS h OFFSET 0) rk`;

export const sessionsSource = (now = Date.now()): KeysetSource => ({
  select: `s.id, s.agent_id, a.name AS agent_name, s.initiator, s.initiator_verified, s.step_count, s.deny_count, s.approval_count,
           s.labels, s.tools_used, s.status, s.started_at, s.last_activity_at, rk_in.risky_tools, rk_in.delegation_depth, rk.h / 100.0 AS risk_base`,
  from: SESSIONS_FROM,
  id: { expr: "s.id", cast: "text" },
  sorts: {
    lastActivity: { expr: "s.last_activity_at", type: "timestamp" },
    started: { expr: "s.started_at", type: "timestamp" },
    steps: { expr: "s.step_count", type: "number" },
    denies: { expr: "s.deny_count", type: "number" },
    risk: { expr: RISK_SQL.sortKey("rk.h"), type: "number" },
  },
  filters: {
    agent: (v, b) => `s.agent_id = ${b(v[0])}::uuid`,
    initiator: (v, b) => `s.initiator = ${b(v[0])}`,
    outcome: (v) => (v[0] === "denied" ? "s.deny_count > 0" : v[0] === "approval" ? "s.approval_count > 0" : "s.deny_count = 0 AND s.approval_count = 0"),
    // All of the chosen labels (the GIN index on labels answers @>).
    label: (v, b) => `s.labels @> ${b(v)}::text[]`,
    status: (v, b) => `s.status = ${b(v[0])}`,
    // Active during the range: started before its end and last active after its start.
    // (Set from the page's range picker by lib/console/table/range.ts, not a filter menu.)
    time: (v, b) => {
      const r = resolveTime(v[0], now);
      const conds = [...(r?.from ? [`s.last_activity_at >= ${b(r.from)}::timestamptz`] : []), ...(r?.to ? [`s.started_at < ${b(r.to)}::timestamptz`] : [])];
      return conds.length ? conds.join(" AND ") : "TRUE";
    },
  },
  search: (q, b) => `(s.id = ${b(q)} OR s.id LIKE ${b(q.replace(/[\\%_]/g, (c) => `\\${c}`) + "%")})`,
});

/** "Needs me now": the session list's filters and sorts, riskiest first by default. */
export function needsMeTableDefinition(o: Parameters<typeof sessionsTableDefinition>[0]): TableDefinition {
  const all = sessionsTableDefinition(o);
  return { ...all, id: "needs-me", filters: all.filters.filter((f) => f.id !== "status"), defaultSort: { id: "risk", dir: "desc" } };
}

/** Active sessions with a risk above 0, last active within the horizon (the index on last activity bounds the scan). */
export const needsMeSource = (now = Date.now()): KeysetSource => ({
  ...sessionsSource(now),
  where: (b) => [`s.status = 'active'`, `rk.h > 0`, `s.last_activity_at >= ${b(new Date(now - RISK.horizonDays * 86_400_000).toISOString())}::timestamptz`],
});

export function sessionsHref(p: { agent?: string; initiator?: string; outcome?: string; label?: string[]; time?: string; status?: string }): string {
  return listHref("/sessions", p);
}
