import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { EffectBadge, KindBadge, Labels, RiskBadge, StatusBadge } from "@/components/tools/badges";
import { BlockForm } from "@/components/tools/block-form";
import { DetectorsForm } from "@/components/tools/detectors-form";
import { ClassificationForm } from "@/components/tools/classification-form";
import { DecisionHistory, DefinitionVersions } from "@/components/tools/tool-history";
import { WhoCanCallPanel } from "@/components/tools/who-can-call";
import { TimeAgo } from "@/components/forms/time-ago";
import { definitionVersions, getTool, toolHistory, whoCanCallTool } from "@/lib/console/tool-detail";

export const metadata = { title: "Tool" };

function Section({ title, children, id }: { title: string; children: React.ReactNode; id: string }) {
  return (
    <section aria-labelledby={id} className="space-y-2">
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

export default async function ToolPage({ params }: { params: Promise<{ server: string; name: string }> }) {
  const user = await requireUser();
  const { server, name } = await params;
  const t = await getTool(decodeURIComponent(server), decodeURIComponent(name));
  if (!t) notFound();
  const [history, versions, who] = await Promise.all([toolHistory(t.server, t.name), definitionVersions(t.id), whoCanCallTool(t)]);
  const s = t.suggestion;
  const approved = t.status === "approved";
  const properties = Object.keys((t.inputSchema as { properties?: object } | null)?.properties ?? {});
  const initial = approved
    ? {
        effect: t.classification.effect ?? "read",
        risk: t.classification.risk ?? "low",
        labels: t.classification.labels,
        sensitiveArgs: t.classification.sensitiveArgs,
      }
    : { effect: s?.effect ?? "destructive", risk: s?.risk ?? "high", labels: s?.labels ?? [], sensitiveArgs: s?.sensitiveArgs ?? [] };

  return (
    <article className="space-y-6">
      <header className="space-y-1">
        <Link href="/tools" className="text-sm text-indigo-700 underline">
          ← Tools
        </Link>
        <h1 className="font-mono text-xl font-semibold">
          {t.server}/{t.name}
          {t.kind !== "tool" && <KindBadge kind={t.kind} />}
        </h1>
        {t.title && <p className="text-slate-700">{t.title}</p>}
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <StatusBadge status={t.status} blocked={!!t.blocked} changed={!!t.changeFlag} />
          <EffectBadge effect={approved ? t.classification.effect : (s?.effect ?? null)} suggested={!approved} />
          <RiskBadge risk={approved ? t.classification.risk : (s?.risk ?? null)} suggested={!approved} />
          <Labels labels={approved ? t.classification.labels : (s?.labels ?? [])} />
          <span className="text-slate-700">
            · {t.callCount} calls · first seen <TimeAgo at={t.firstSeenAt} /> · last seen <TimeAgo at={t.lastSeenAt} />
          </span>
        </div>
        {t.changeFlag && (
          <p role="note" className="rounded bg-orange-50 px-3 py-2 text-sm text-orange-900">
            The server changed this tool&apos;s definition after it was approved, so it is pending again. Review the diff below, then approve it again.
          </p>
        )}
        {t.blocked && (
          <p role="note" className="rounded bg-red-50 px-3 py-2 text-sm text-red-900">
            Blocked <TimeAgo at={t.blocked.at} />
            {t.blocked.reason ? `: ${t.blocked.reason}` : ""}. Every call is denied.
          </p>
        )}
      </header>

      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-6">
          <Section id="desc" title="Description">
            <p className="whitespace-pre-wrap text-sm text-slate-800">{t.description || "The server gave no description."}</p>
          </Section>
          <Section id="suggest" title="Mandate's suggestion">
            {s ? (
              <div className="text-sm">
                <p>
                  <EffectBadge effect={s.effect} /> <RiskBadge risk={s.risk} /> <Labels labels={s.labels} />
                </p>
                <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-800" data-testid="suggestion-reasons">
                  {s.reasons.map((r, i) => (
                    <li key={i}>{r}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="text-sm text-slate-700">No suggestion recorded.</p>
            )}
          </Section>
          <Section id="classify" title={approved ? "Classification" : "Review"}>
            {t.decided && (
              <p className="text-sm text-slate-700">
                {t.status === "pending" ? "Last reviewed" : t.status} by <span className="font-mono text-xs">{t.decided.by}</span> <TimeAgo at={t.decided.at} />
                {t.decided.note ? `: “${t.decided.note}”` : ""}
              </p>
            )}
            {user.role === "admin" ? (
              <ClassificationForm server={t.server} name={t.name} status={t.status} initial={initial} properties={properties} />
            ) : (
              <p className="text-sm text-slate-700">Only admins approve or edit classifications.</p>
            )}
          </Section>
          <Section id="detectors" title="Content detectors">
            <p className="text-sm text-slate-700">
              The gateway inspects what this item returns and adds the labels it finds to the session.{" "}
              {t.detectorsOff.item.length + t.detectorsOff.server.length === 0
                ? "Every detector is on."
                : `Off: ${[...new Set([...t.detectorsOff.item, ...t.detectorsOff.server])].sort().join(", ")}.`}{" "}
              Labels the server attaches itself always count.
            </p>
            {user.role === "admin" && <DetectorsForm server={t.server} name={t.name} off={t.detectorsOff.item} serverOff={t.detectorsOff.server} />}
          </Section>
          {user.role !== "viewer" && (
            <Section id="block" title={t.blocked ? "Unblock" : "Block"}>
              <BlockForm server={t.server} name={t.name} blocked={!!t.blocked} canUnblock={user.role === "admin"} />
            </Section>
          )}
        </div>
        <div className="space-y-6">
          <Section id="who" title="Who can call this">
            <WhoCanCallPanel data={who} />
          </Section>
          <Section id="hints" title="MCP annotations (hints from the server, not trusted)">
            {t.annotations && Object.keys(t.annotations).length ? (
              <dl
                className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded border border-dashed border-slate-300 bg-white p-3 text-sm"
                data-testid="annotations"
              >
                {Object.entries(t.annotations).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="font-mono text-xs text-slate-700">{k}</dt>
                    <dd>
                      {JSON.stringify(v)} <span className="text-xs text-slate-500">(server hint)</span>
                    </dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p className="text-sm text-slate-700">The server declared no annotations.</p>
            )}
          </Section>
          <Section id="schema" title="Input schema">
            <pre className="max-h-96 overflow-auto rounded border border-slate-200 bg-white p-3 font-mono text-xs">
              {JSON.stringify(t.inputSchema, null, 2)}
            </pre>
          </Section>
        </div>
      </div>
      <Section id="history" title="History (audited)">
        <DecisionHistory entries={history} />
      </Section>
      <Section id="versions" title="Definition changes">
        <DefinitionVersions versions={versions} />
      </Section>
    </article>
  );
}
