/**
 * Facet value counts on a table's filters: how many rows of the filtered view have each value of a
 * filter (outcome allow/deny, agent, tool), computed with the view's own filters except the facet's
 * own (so choosing a value does not hide the others' counts). Counting reads at most FACET_CAP rows of
 * the filtered query: beyond that a count is a lower bound, shown as "≥ n". Pure but for the types.
 */
import type { TableDefinition } from "./definition.ts";

/** Rows a facet query reads at most (the filtered query, without an order, stops there). */
export const FACET_CAP = 10_000;

export interface Facets {
  /** filter id → value → rows. */
  counts: Record<string, Record<string, number>>;
  /** Filter ids whose counts stopped at FACET_CAP rows (lower bounds). */
  capped: string[];
}

const fmt = (n: number) => n.toLocaleString("en");

/**
 * The definition with each counted option labelled "value · n" (or "· ≥ n" when capped), the counted
 * options first by count. Options without a count are left as they are, after them.
 */
export function withFacetCounts(def: TableDefinition, facets: Facets): TableDefinition {
  return {
    ...def,
    filters: def.filters.map((f) => {
      const c = facets.counts[f.id];
      if (!c) return f;
      const ge = facets.capped.includes(f.id) ? "≥ " : "";
      const counted = f.options.map((o, i) => ({ o, i, n: c[o.value] ?? 0 }));
      counted.sort((a, b) => b.n - a.n || a.i - b.i);
      return { ...f, options: counted.map(({ o, n }) => ({ value: o.value, label: `${o.label} · ${ge}${fmt(n)}` })) };
    }),
  };
}

/** The filters of a state without one (a facet's own), for its count. */
export function without<T extends object>(filters: T, id: string): T {
  const { [id as keyof T]: _omit, ...rest } = filters;
  return rest as T;
}
