import Link from "next/link";
import { requireUser } from "@/app/auth";
import { PolicyNav } from "@/components/policies/policy-nav";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { RollbackButton } from "@/components/policies/rollback-button";
import { VersionPicker } from "@/components/policies/version-picker";
import { TimeAgo } from "@/components/forms/time-ago";
import { listVersions } from "@/lib/console/policies";
import { MCP_STORE_ID } from "@/lib/policy/publish";

export const metadata = { title: "Policy versions" };

const STATUS: Record<string, string> = {
  active: "bg-emerald-100 text-emerald-900",
  shadow: "bg-sky-100 text-sky-900",
  draft: "bg-slate-100 text-slate-800",
  archived: "bg-white text-slate-600 ring-1 ring-slate-300",
};

const diffHref = (from: number, to: number) => `/policies/versions/diff?from=${from}&to=${to}`;

export default async function VersionsPage() {
  const user = await requireUser();
  const versions = await listVersions(MCP_STORE_ID);
  const active = versions.find((v) => v.status === "active")?.version ?? null;
  return (
    <section aria-labelledby="ver-h" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="ver-h" className="text-xl font-semibold">
          Policy versions
        </h1>
        <PolicyNav current="/policies/versions" />
      </div>
      <ShadowBanner />
      {versions.length === 0 ? (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700">
          No versions yet. Write a policy set in the editor and publish it.
        </p>
      ) : (
        <>
          <VersionPicker versions={versions} />
          <div className="overflow-x-auto rounded border border-slate-200 bg-white">
            <table className="min-w-full text-sm" data-testid="versions">
              <caption className="sr-only">Policy versions, newest first</caption>
              <thead className="bg-slate-50 text-left text-slate-700">
                <tr>
                  <th className="px-3 py-2 font-medium">Version</th>
                  <th className="px-3 py-2 font-medium">Status</th>
                  <th className="px-3 py-2 font-medium">Author</th>
                  <th className="px-3 py-2 font-medium">Created</th>
                  <th className="px-3 py-2 font-medium">Published</th>
                  <th className="px-3 py-2 font-medium">Note</th>
                  <th className="px-3 py-2 font-medium">Tests</th>
                  <th className="px-3 py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} className="border-t border-slate-100" data-version={v.version} data-status={v.status}>
                    <td className="px-3 py-2">
                      <Link href={`/policies/versions/${v.version}`} className="font-mono text-indigo-800 hover:underline">
                        v{v.version}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS[v.status]}`}>{v.status}</span>
                    </td>
                    <td className="px-3 py-2 font-mono text-xs">{v.author}</td>
                    <td className="px-3 py-2">
                      <TimeAgo at={v.createdAt} />
                    </td>
                    <td className="px-3 py-2">
                      {v.publishedAt ? (
                        <>
                          <TimeAgo at={v.publishedAt} /> <span className="font-mono text-xs">{v.publishedBy}</span>
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td className="px-3 py-2 text-slate-700">{v.note ?? ""}</td>
                    <td className="px-3 py-2 tabular-nums">{v.testCount}</td>
                    <td className="space-x-2 whitespace-nowrap px-3 py-2">
                      {active && active !== v.version && (
                        <Link href={diffHref(active, v.version)} className="text-indigo-700 underline">
                          Diff vs active
                        </Link>
                      )}
                      {user.role === "admin" && v.status !== "active" && v.status !== "draft" && (
                        <RollbackButton version={v.version} activeVersion={active} diffHref={active ? diffHref(active, v.version) : undefined} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
