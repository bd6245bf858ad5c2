/**
 * The audit explorer's filters, defined once: the table definition (what the filter bar offers), the
 * mapping of a table state to typed filters, the SQL of those filters, and links into the explorer.
 * The explorer page, the export route and the benchmark all go through these functions, so an export
 * contains exactly the rows the filtered view shows.
 */
import type { FilterDef, SearchParams, TableDefinition, TableState } from "../console/table/definition.ts";
import { listHref } from "../analytics/links.ts";
import { linkedFilter, resolveTime } from "../analytics/time-range.ts";
import { MCP_ACTIONS } from "../api/mcp-actions.ts";

export const AUDIT_KINDS = ["decision", "outcome", "approval", "admin", "delegation"] as const;
/** The MCP methods a decision can be for (the "Method" filter: decisions only). */
export const AUDIT_METHODS = MCP_ACTIONS;
export const AUDIT_OUTCOMES = ["allow", "deny", "require_approval", "success", "error", "approved", "denied", "expired"] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENTRY = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{1,15})$/i;
const SESSION = /^[\w.:@/-]{1,200}$/;
const ACTOR = /^(user|agent|system|cli|test)(:[^\s]{1,200})?$/;

export interface AuditFilters {
  kind?: string[];
  outcome?: string[];
  agent?: string;
  tool?: string[];
  /** Decisions for these MCP methods (entries without a method are tools/call). */
  method?: string[];
  actor?: string;
  action?: string;
  session?: string;
  decision?: string;
  chain?: string;
  seq?: number;
  from?: string;
  to?: string;
}

const opts = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: x.replace(/_/g, " ") }));

export function auditTableDefinition(o: { agents: Array<{ id: string; name: string }>; tools: string[]; sp: SearchParams }): TableDefinition {
  const linked = [
    linkedFilter("session", "Session", o.sp.session, (v) => SESSION.test(v)),
    linkedFilter("actor", "Actor", o.sp.actor, (v) => ACTOR.test(v)),
    linkedFilter(
      "decision",
      "Decision",
      o.sp.decision,
      (v) => UUID.test(v),
      (v) => v.slice(0, 8) + "…",
    ),
  ].filter((f): f is FilterDef => f !== null);
  return {
    id: "audit",
    filters: [
      { id: "kind", label: "Kind", kind: "multi", options: opts(AUDIT_KINDS) },
      { id: "outcome", label: "Outcome", kind: "multi", options: opts(AUDIT_OUTCOMES) },
      { id: "agent", label: "Agent", kind: "select", options: o.agents.map((a) => ({ value: a.id, label: a.name })) },
      { id: "tool", label: "Tool", kind: "multi", options: toolOptions(o.tools, o.sp.tool) },
      { id: "method", label: "Method", kind: "multi", options: AUDIT_METHODS.map((m) => ({ value: m, label: m })) },
      ...linked,
    ],
    sorts: [{ id: "time", label: "Time" }],
    defaultSort: { id: "time", dir: "desc" },
    range: { label: "Time" },
    search: { placeholder: "Session id, decision id, actor (user:…) or action (policy.…)" },
    pageSize: 50,
  };
}

const TOOL = /^[\w.-]{1,100}\/[\w./-]{1,200}$/;

/** The inventory's tools, plus tools named in the URL that are not (or no longer) in it — unknown tools are called and denied too. */
function toolOptions(inventory: string[], current: string | string[] | undefined): Array<{ value: string; label: string }> {
  const named = (Array.isArray(current) ? current : current ? [current] : [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => TOOL.test(v));
  return [...new Set([...inventory, ...named])].map((t) => ({ value: t, label: inventory.includes(t) ? t : `${t} (not in the inventory)` }));
}

/** Interprets the search box: a UUID is a decision, user:/agent: an actor, a dotted word an action, else a session id. */
export function interpretSearch(q: string): Partial<AuditFilters> {
  const s = q.trim();
  if (!s) return {};
  if (UUID.test(s)) return { decision: s.toLowerCase() };
  if (ACTOR.test(s)) return { actor: s };
  if (/^[a-z_]+\.[a-z_.]*$/.test(s)) return { action: s };
  return { session: s };
}

export function toAuditFilters(state: TableState, now = Date.now()): AuditFilters {
  const f = state.filters;
  const out: AuditFilters = {};
  if (f.kind?.length) out.kind = f.kind;
  if (f.outcome?.length) out.outcome = f.outcome;
  if (f.agent?.[0]) out.agent = f.agent[0];
  if (f.tool?.length) out.tool = f.tool;
  if (f.method?.length) out.method = f.method.filter((m) => (AUDIT_METHODS as readonly string[]).includes(m));
  if (out.method?.length === 0) delete out.method;
  if (f.session?.[0]) out.session = f.session[0];
  if (f.actor?.[0]) out.actor = f.actor[0];
  if (f.decision?.[0]) out.decision = f.decision[0].toLowerCase();
  const range = resolveTime(f.time?.[0], now);
  if (range?.from) out.from = range.from;
  if (range?.to) out.to = range.to;
  return { ...out, ...interpretSearch(state.q) };
}

/** WHERE clauses and their parameters (numbered from `start`). Each filter can use an index. */
export function auditWhere(f: AuditFilters, start = 1): { sql: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const p = (v: unknown) => `$${start + values.push(v) - 1}`;
  const eqOrAny = (col: string, list: string[]) => (list.length === 1 ? `${col} = ${p(list[0])}` : `${col} = ANY(${p(list)}::text[])`);
  if (f.kind?.length) clauses.push(eqOrAny("kind", f.kind));
  if (f.outcome?.length) clauses.push(eqOrAny("outcome", f.outcome));
  if (f.agent) clauses.push(`agent_id = ${p(f.agent)}::uuid`);
  if (f.tool?.length) clauses.push(eqOrAny("tool", f.tool));
  // Decisions only; not indexed (the other filters and the time order narrow what is read).
  if (f.method?.length) clauses.push(`kind = 'decision' AND ${eqOrAny("COALESCE(data->>'method', 'tools/call')", f.method)}`);
  if (f.actor) clauses.push(`actor = ${p(f.actor)}`);
  if (f.action) clauses.push(`action LIKE ${p(f.action.replace(/[\\%_]/g, (c) => `\\${c}`) + "%")}`);
  if (f.session) clauses.push(`session_id = ${p(f.session)}`);
  if (f.decision) clauses.push(`decision_id = ${p(f.decision)}::uuid`);
  if (f.chain) clauses.push(`chain_id = ${p(f.chain)}::uuid`);
  if (f.seq !== undefined) clauses.push(`seq = ${p(f.seq)}`);
  if (f.from) clauses.push(`created_at >= ${p(f.from)}::timestamptz`);
  if (f.to) clauses.push(`created_at < ${p(f.to)}::timestamptz`);
  return { sql: clauses.length ? clauses.join(" AND ") : "TRUE", values };
}

/**
 * The `?entry=<chain id>:<seq>` of a link: which entry the explorer's drawer shows (not a filter: the
 * list under the drawer stays as its filters say). Null when absent or malformed.
 */
export function parseEntryParam(v: string | string[] | undefined): { chain: string; seq: number } | null {
  const m = typeof v === "string" ? ENTRY.exec(v) : null;
  return m ? { chain: m[1].toLowerCase(), seq: Number(m[2]) } : null;
}

/** A link into the explorer (URL parameters in the table's format). */
export function auditHref(p: {
  kind?: string[];
  method?: string[];
  outcome?: string[];
  agent?: string;
  tool?: string[];
  time?: string;
  session?: string;
  actor?: string;
  decision?: string;
  entry?: string;
  q?: string;
}): string {
  return listHref("/audit", p);
}
