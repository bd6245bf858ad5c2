import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { DiffView } from "@/components/forms/diff-view";
import { TimeAgo } from "@/components/forms/time-ago";
import { PolicyNav } from "@/components/policies/policy-nav";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { RollbackButton } from "@/components/policies/rollback-button";
import { textLineDiff } from "@/lib/console/json-diff";
import { activeVersion, getVersion } from "@/lib/console/policies";
import { MCP_STORE_ID } from "@/lib/policy/publish";

export const metadata = { title: "Policy version" };

export default async function VersionPage({ params }: { params: Promise<{ version: string }> }) {
  const user = await requireUser();
  const n = Number((await params).version);
  const v = Number.isInteger(n) && n > 0 ? await getVersion(MCP_STORE_ID, n) : null;
  if (!v) notFound();
  const active = await activeVersion(MCP_STORE_ID);
  return (
    <article className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">
          Version v{v.version} <span className="text-base font-normal text-slate-600">({v.status})</span>
        </h1>
        <PolicyNav current="/policies/versions" />
      </div>
      <ShadowBanner />
      <p className="text-sm text-slate-700">
        By <span className="font-mono text-xs">{v.author}</span>, created <TimeAgo at={v.createdAt} />
        {v.publishedAt && (
          <>
            , published <TimeAgo at={v.publishedAt} /> by <span className="font-mono text-xs">{v.publishedBy}</span>
          </>
        )}
        {v.note && <> — “{v.note}”</>}. {v.tests.length} test cases.
      </p>
      <div className="flex flex-wrap gap-2">
        <Link href={`/policies?from=${v.version}`} className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100">
          Open in the editor
        </Link>
        <Link
          href={`/policies/versions/diff?from=${active && active.version !== v.version ? active.version : Math.max(1, v.version - 1)}&to=${v.version}`}
          className="rounded border border-slate-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
        >
          Compare with another version
        </Link>
        {user.role === "admin" && v.status !== "active" && v.status !== "draft" && (
          <RollbackButton
            version={v.version}
            activeVersion={active?.version ?? null}
            diff={active ? textLineDiff(active.text, v.text) : undefined}
            diffHref={active ? `/policies/versions/diff?from=${active.version}&to=${v.version}` : undefined}
          />
        )}
      </div>
      {active && active.version !== v.version && (
        <section aria-labelledby="d-h" className="space-y-2">
          <h2 id="d-h" className="text-base font-semibold">
            Against the active version v{active.version}
          </h2>
          <DiffView lines={textLineDiff(active.text, v.text)} label={`v${active.version} to v${v.version}`} />
        </section>
      )}
      <section aria-labelledby="t-h" className="space-y-2">
        <h2 id="t-h" className="text-base font-semibold">
          Text
        </h2>
        <pre className="overflow-auto rounded border border-slate-200 bg-white p-3 font-mono text-xs">{v.text}</pre>
      </section>
    </article>
  );
}
