/**
 * Result counts of the console's lists (issue 16 §2): exact up to EXACT_COUNT_UP_TO rows, counted with a
 * LIMIT so a large result costs what 10,001 index entries cost; above it, PostgreSQL's own row estimate
 * for the same filtered query (EXPLAIN), never the table's total, shown with '≈'. The estimate is kept at
 * least above the exact bound (it is known that more rows match). On the seeded history estimates are
 * within 2× of the exact count (test/integration/result-counts.test.ts).
 */
import type { Queryable } from "../../db/pool.ts";

export const EXACT_COUNT_UP_TO = 10_000;

export interface ResultCount {
  n: number;
  /** False: PostgreSQL's estimate of the same filtered query (more than EXACT_COUNT_UP_TO rows match). */
  exact: boolean;
}

/** Counts the rows of `FROM from WHERE where` (with `values` bound as $1…), exactly up to `upTo`. */
export async function countRows(q: Queryable, from: string, where: string, values: unknown[], upTo = EXACT_COUNT_UP_TO): Promise<ResultCount> {
  const filtered = `SELECT 1 FROM ${from} WHERE ${where}`;
  const capped = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${filtered} LIMIT ${Math.floor(upTo) + 1}) c`, values);
  const n = capped.rows[0].n;
  if (n <= upTo) return { n, exact: true };
  const plan = await q.query<{ "QUERY PLAN": Array<{ Plan: { "Plan Rows": number } }> }>(`EXPLAIN (FORMAT JSON) ${filtered}`, values);
  const estimate = Math.round(plan.rows[0]["QUERY PLAN"][0].Plan["Plan Rows"]);
  return { n: Math.max(estimate, upTo + 1), exact: false };
}
