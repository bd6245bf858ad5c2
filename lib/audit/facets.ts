/**
 * Facet counts of the audit explorer (lib/console/table/facets.ts): outcome, agent and tool, over the
 * explorer's filters (the same auditWhere as its list and export), each without its own filter, reading
 * at most FACET_CAP entries per facet (no order: the scan stops there; beyond it counts are lower bounds).
 */
import { getPool } from "../db/pool.ts";
import { FACET_CAP, without, type Facets } from "../console/table/facets.ts";
import { auditWhere, type AuditFilters } from "./queries-filters.ts";

const FACETS = { outcome: "outcome", agent: "agent_id", tool: "tool" } as const;

export async function auditFacets(f: AuditFilters): Promise<Facets> {
  const entries = await Promise.all(
    (Object.keys(FACETS) as Array<keyof typeof FACETS>).map(async (id) => {
      const w = auditWhere(without(f, id));
      const col = FACETS[id];
      const r = await getPool().query<{ key: string | null; n: number; total: number }>(
        `SELECT key::text, count(*)::int AS n, sum(count(*)) OVER ()::int AS total
           FROM (SELECT ${col} AS key FROM audit_entries WHERE ${w.sql} LIMIT ${FACET_CAP + 1}) x GROUP BY 1`,
        w.values,
      );
      const counts = Object.fromEntries(r.rows.filter((x) => x.key !== null).map((x) => [x.key!, x.n]));
      return { id, counts, capped: (r.rows[0]?.total ?? 0) > FACET_CAP };
    }),
  );
  return { counts: Object.fromEntries(entries.map((e) => [e.id, e.counts])), capped: entries.filter((e) => e.capped).map((e) => e.id) };
}
