import type { ResultCount as Count } from "@/lib/console/table/count";

/**
 * How many rows the filters match over all pages: exact up to 10,000, above that PostgreSQL's estimate of
 * the same filtered query, marked '≈' (lib/console/table/count.ts).
 */
export function ResultCount({ count }: { count: Count }) {
  const n = count.n.toLocaleString("en");
  return (
    <p className="text-sm text-slate-600" data-testid="result-count" data-exact={count.exact ? "true" : "false"} data-n={count.n}>
      {count.exact ? (
        <>
          {n} {count.n === 1 ? "result" : "results"}
        </>
      ) : (
        <abbr title="More than 10,000 rows match: this is PostgreSQL's estimate for these filters" className="no-underline">
          ≈ {n} results
        </abbr>
      )}
    </p>
  );
}
