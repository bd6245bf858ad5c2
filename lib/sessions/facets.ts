/**
 * Facet counts of the session list (lib/console/table/facets.ts): outcome (had a deny / needed an
 * approval / all allowed) and agent, over the list's filters, search and range. Reads `sessions` alone
 * (the filters are on its columns) and at most FACET_CAP rows per facet.
 */
import { getPool } from "../db/pool.ts";
import type { TableState } from "../console/table/definition.ts";
import { FACET_CAP, without, type Facets } from "../console/table/facets.ts";
import type { Bind } from "../console/table/keyset.ts";
import { sessionsSource } from "./queries-filters.ts";

function whereOf(state: TableState, now: number): { sql: string; values: unknown[] } {
  const src = sessionsSource(now);
  const values: unknown[] = [];
  const bind: Bind = (v) => `$${values.push(v)}`;
  const conds: string[] = [];
  for (const [id, vals] of Object.entries(state.filters)) {
    const f = src.filters?.[id];
    if (f && vals.length) conds.push(f(vals, bind));
  }
  if (state.q && src.search) conds.push(src.search(state.q, bind));
  return { sql: conds.length ? conds.join(" AND ") : "TRUE", values };
}

export async function sessionFacets(state: TableState, now = Date.now()): Promise<Facets> {
  const o = whereOf({ ...state, filters: without(state.filters, "outcome") }, now);
  const a = whereOf({ ...state, filters: without(state.filters, "agent") }, now);
  const [outcome, agent] = await Promise.all([
    getPool().query<{ denied: number; approval: number; clean: number; n: number }>(
      `SELECT count(*) FILTER (WHERE deny_count > 0)::int AS denied, count(*) FILTER (WHERE approval_count > 0)::int AS approval,
              count(*) FILTER (WHERE deny_count = 0 AND approval_count = 0)::int AS clean, count(*)::int AS n
         FROM (SELECT s.deny_count, s.approval_count FROM sessions s WHERE ${o.sql} LIMIT ${FACET_CAP + 1}) x`,
      o.values,
    ),
    getPool().query<{ agent_id: string | null; n: number; total: number }>(
      `SELECT agent_id, count(*)::int AS n, sum(count(*)) OVER ()::int AS total
         FROM (SELECT s.agent_id FROM sessions s WHERE ${a.sql} LIMIT ${FACET_CAP + 1}) x GROUP BY 1`,
      a.values,
    ),
  ]);
  const oc = outcome.rows[0];
  const capped = [...(oc.n > FACET_CAP ? ["outcome"] : []), ...((agent.rows[0]?.total ?? 0) > FACET_CAP ? ["agent"] : [])];
  return {
    counts: {
      outcome: { denied: oc.denied, approval: oc.approval, clean: oc.clean },
      agent: Object.fromEntries(agent.rows.filter((r) => r.agent_id).map((r) => [r.agent_id!, r.n])),
    },
    capped,
  };
}
