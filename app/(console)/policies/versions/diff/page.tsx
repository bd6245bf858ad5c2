import Link from "next/link";
import { requireUser } from "@/app/auth";
import { DiffView } from "@/components/forms/diff-view";
import { PolicyNav } from "@/components/policies/policy-nav";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { VersionPicker } from "@/components/policies/version-picker";
import { getVersion, listVersions } from "@/lib/console/policies";
import { policySetDiff, type PolicyChange } from "@/lib/console/policy-diff";
import { MCP_STORE_ID } from "@/lib/policy/publish";

export const metadata = { title: "Policy version diff" };

const BADGE: Record<PolicyChange, string> = {
  added: "bg-emerald-100 text-emerald-900",
  removed: "bg-red-100 text-red-900",
  changed: "bg-amber-100 text-amber-950",
  same: "bg-slate-100 text-slate-700",
};
const num = (s: string | undefined) => (s && /^\d{1,9}$/.test(s) ? Number(s) : undefined);
const anchor = (id: string) => `policy-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;

export default async function VersionDiffPage({ searchParams }: { searchParams: Promise<{ from?: string; to?: string }> }) {
  await requireUser();
  const q = await searchParams;
  const [versions, a, b] = await Promise.all([
    listVersions(MCP_STORE_ID),
    num(q.from) ? getVersion(MCP_STORE_ID, num(q.from)!) : null,
    num(q.to) ? getVersion(MCP_STORE_ID, num(q.to)!) : null,
  ]);
  const diff = a && b ? policySetDiff(a.text, b.text) : null;
  const missing = [q.from && !a ? `v${q.from}` : null, q.to && !b ? `v${q.to}` : null].filter(Boolean);
  return (
    <article className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">
          {a && b ? (
            <>
              Diff <span className="font-mono">v{a.version}</span> → <span className="font-mono">v{b.version}</span>
            </>
          ) : (
            "Compare policy versions"
          )}
        </h1>
        <PolicyNav current="/policies/versions" />
      </div>
      <ShadowBanner />
      {versions.length === 0 ? (
        <p className="text-sm text-slate-700">No versions yet.</p>
      ) : (
        <VersionPicker versions={versions} from={a?.version} to={b?.version} />
      )}
      {missing.length > 0 && (
        <p role="alert" className="text-sm text-red-800">
          No version {missing.join(" or ")} in this store.
        </p>
      )}
      {a && b && diff && (
        <>
          <p className="text-sm text-slate-700">
            <Link className="font-mono text-indigo-700 underline" href={`/policies/versions/${a.version}`}>
              v{a.version}
            </Link>{" "}
            ({a.status}, by <span className="font-mono text-xs">{a.author}</span>) to{" "}
            <Link className="font-mono text-indigo-700 underline" href={`/policies/versions/${b.version}`}>
              v{b.version}
            </Link>{" "}
            ({b.status}, by <span className="font-mono text-xs">{b.author}</span>).{" "}
            <Link className="text-indigo-700 underline" href={`/policies/versions/diff?from=${b.version}&to=${a.version}`}>
              Swap
            </Link>
          </p>
          {diff.parsed ? (
            <section aria-labelledby="pd-h" className="space-y-2">
              <h2 id="pd-h" className="text-base font-semibold">
                Policies:{" "}
                <span data-testid="diff-counts">{`${diff.counts.added} added, ${diff.counts.removed} removed, ${diff.counts.changed} changed, ${diff.counts.same} unchanged`}</span>
              </h2>
              <ul className="flex flex-wrap gap-1.5 text-sm">
                {diff.policies.map((p) => (
                  <li key={p.id} data-testid="diff-policy" data-change={p.change} data-policy={p.id}>
                    {p.change === "same" ? (
                      <span className={`rounded px-2 py-0.5 font-mono text-xs ${BADGE.same}`}>{p.id}</span>
                    ) : (
                      <a href={`#${anchor(p.id)}`} className={`rounded px-2 py-0.5 font-mono text-xs underline ${BADGE[p.change]}`}>
                        {p.id} ({p.change})
                      </a>
                    )}
                  </li>
                ))}
              </ul>
              {diff.policies
                .filter((p) => p.change !== "same")
                .map((p) => (
                  <section key={p.id} id={anchor(p.id)} aria-label={`Policy ${p.id}, ${p.change}`} className="scroll-mt-4 space-y-1">
                    <h3 className="text-sm font-semibold">
                      <a href={`#${anchor(p.id)}`} className="font-mono hover:underline">
                        {p.id}
                      </a>{" "}
                      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${BADGE[p.change]}`}>{p.change}</span>
                    </h3>
                    <DiffView lines={p.lines} label={`Policy ${p.id}: v${a.version} to v${b.version}`} />
                  </section>
                ))}
            </section>
          ) : (
            <p className="text-sm text-slate-700">One of these versions does not parse as Cedar: only the text diff is shown.</p>
          )}
          <section aria-labelledby="td-h" className="space-y-2">
            <h2 id="td-h" className="text-base font-semibold">
              Whole text
            </h2>
            <DiffView lines={diff.text} label={`v${a.version} to v${b.version}`} />
          </section>
        </>
      )}
    </article>
  );
}
