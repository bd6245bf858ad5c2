/**
 * The session list's table, defined once: filters (agent, initiator, outcome, data labels, time range,
 * status), sorts, and their SQL mapping for keyset pagination (lib/console/table/keyset.ts). Dashboard
 * drill-downs link here with sessionsHref().
 */
import type { SearchParams, TableDefinition } from "../console/table/definition.ts";
import type { KeysetSource } from "../console/table/keyset.ts";
import { listHref } from "../analytics/links.ts";
import { resolveTime, timeFilter } from "../analytics/time-range.ts";

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
      timeFilter(o.sp.time, "Active"),
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
    ],
    defaultSort: { id: "lastActivity", dir: "desc" },
    search: { placeholder: "Session id" },
    pageSize: 50,
  };
}

export const sessionsSource = (now = Date.now()): KeysetSource => ({
  select: `s.id, s.agent_id, a.name AS agent_name, s.initiator, s.initiator_verified, s.step_count, s.deny_count, s.approval_count,
           s.labels, s.tools_used, s.status, s.started_at, s.last_activity_at`,
  from: "sessions s LEFT JOIN agents a ON a.id = s.agent_id",
  id: { expr: "s.id", cast: "text" },
  sorts: {
    lastActivity: { expr: "s.last_activity_at", type: "timestamp" },
    started: { expr: "s.started_at", type: "timestamp" },
    steps: { expr: "s.step_count", type: "number" },
    denies: { expr: "s.deny_count", type: "number" },
  },
  filters: {
    agent: (v, b) => `s.agent_id = ${b(v[0])}::uuid`,
    initiator: (v, b) => `s.initiator = ${b(v[0])}`,
    outcome: (v) => (v[0] === "denied" ? "s.deny_count > 0" : v[0] === "approval" ? "s.approval_count > 0" : "s.deny_count = 0 AND s.approval_count = 0"),
    // All of the chosen labels (the GIN index on labels answers @>).
    label: (v, b) => `s.labels @> ${b(v)}::text[]`,
    status: (v, b) => `s.status = ${b(v[0])}`,
    // Active during the range: started before its end and last active after its start.
    time: (v, b) => {
      const r = resolveTime(v[0], now);
      if (!r) return "TRUE";
      return r.to
        ? `s.last_activity_at >= ${b(r.from)}::timestamptz AND s.started_at < ${b(r.to)}::timestamptz`
        : `s.last_activity_at >= ${b(r.from)}::timestamptz`;
    },
  },
  search: (q, b) => `(s.id = ${b(q)} OR s.id LIKE ${b(q.replace(/[\\%_]/g, (c) => `\\${c}`) + "%")})`,
});

export function sessionsHref(p: { agent?: string; initiator?: string; outcome?: string; label?: string[]; time?: string; status?: string }): string {
  return listHref("/sessions", p);
}
