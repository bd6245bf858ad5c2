import Link from "next/link";
import { requireUser } from "@/app/auth";
import { TimeAgo } from "@/components/forms/time-ago";
import { PolicyNav } from "@/components/policies/policy-nav";
import { ShadowButtons } from "@/components/policies/rollback-button";
import { ShadowTable } from "@/components/policies/shadow-table";
import { listDisagreements, shadowTableDefinition } from "@/lib/console/shadow-table";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";
import { MCP_STORE_ID } from "@/lib/policy/publish";
import { shadowSummary } from "@/lib/policy/shadow";

export const metadata = { title: "Shadow policy" };

export default async function ShadowPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const summary = await shadowSummary(MCP_STORE_ID);
  const s = summary.shadow;
  const state = parseTableState(shadowTableDefinition, await searchParams);
  const page = s ? await listDisagreements(s, state) : null;
  return (
    <section aria-labelledby="sh-h" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="sh-h" className="text-xl font-semibold">
          Shadow mode
        </h1>
        <PolicyNav current="/policies/shadow" />
      </div>
      {!s || !page ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700">
          No version is in shadow mode. In the{" "}
          <Link className="text-indigo-700 underline" href="/policies">
            editor
          </Link>
          , use <strong>Publish as shadow</strong>: the draft is then evaluated next to the active version on live traffic, without being enforced, and every
          disagreement is listed here.
        </p>
      ) : (
        <>
          <div className="rounded border border-slate-200 bg-white p-4 text-sm">
            <p>
              <Link href={`/policies/versions/${s.version}`} className="font-mono text-indigo-800 underline">
                {s.label}
              </Link>{" "}
              in shadow since <TimeAgo at={s.publishedAt} /> (by <span className="font-mono text-xs">{s.publishedBy}</span>).{" "}
              <strong data-testid="shadow-compared">{summary.compared}</strong> decisions compared,{" "}
              <strong data-testid="shadow-disagreements">{summary.disagreements}</strong> disagreements
              {Object.keys(summary.transitions).length > 0 && (
                <>
                  {" "}
                  (
                  {Object.entries(summary.transitions)
                    .map(([k, n]) => `enforced ${k.replace("→", ", shadow ")}: ${n}`)
                    .join(" · ")}
                  )
                </>
              )}
              .
            </p>
            {user.role === "admin" && (
              <div className="mt-3">
                <ShadowButtons label={s.label} />
              </div>
            )}
          </div>
          <ShadowTable definition={shadowTableDefinition} state={state} page={page} />
        </>
      )}
    </section>
  );
}
