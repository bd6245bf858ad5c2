/**
 * The activity section of an agent's page: sessions, decisions and deny rate over the chosen range, the
 * tools it called, when it was last seen, and links into the audit and the session list filtered to it.
 */
import Link from "next/link";
import { AgentActivityChart } from "@/components/charts/agent-activity-chart";
import { DecisionsChart } from "@/components/charts/decisions-chart";
import { RangeTabs } from "@/components/dashboard/range-tabs";
import { Timestamp } from "@/components/time/timestamp";
import { decisionFacts, lastDecisionAt, sessionsStarted } from "@/lib/analytics/dashboard-queries";
import { prepareAgentActivity } from "@/lib/analytics/prepare-agent-activity";
import { DASHBOARD_RANGES, prepareDecisionsOverTime, type DashboardWindow } from "@/lib/analytics/prepare-dashboard";

export async function AgentActivity({ agent, w, lastSeenAt }: { agent: { id: string; name: string }; w: DashboardWindow; lastSeenAt: string | null }) {
  const [facts, started, lastDecision] = await Promise.all([
    decisionFacts(w.from, w.to, w.bucketMs, agent.id),
    sessionsStarted(agent.id, w.from, w.to, w.bucketMs),
    lastDecisionAt(agent.id),
  ]);
  const a = prepareAgentActivity(agent.id, facts, started, w);
  const overTime = prepareDecisionsOverTime(facts, w, agent.id);
  const span = DASHBOARD_RANGES[w.range].label;
  const base = `/agents/${encodeURIComponent(agent.name)}`;
  return (
    <section aria-labelledby="activity-h" className="space-y-3" data-testid="agent-activity">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="activity-h" className="text-base font-semibold">
          Activity
        </h2>
        <RangeTabs current={w.range} path={base} />
      </div>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="agent-activity-totals">
        <div>
          <dt className="inline text-slate-600">Sessions opened </dt>
          <dd className="inline tabular-nums">{a.totals.sessions.toLocaleString("en")}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600">Decisions </dt>
          <dd className="inline tabular-nums">{a.totals.decisions.toLocaleString("en")}</dd>
        </div>
        <div>
          <dt className="inline text-slate-600">Deny rate </dt>
          <dd className="inline tabular-nums">{(a.totals.denyRate * 100).toFixed(1)}%</dd>
        </div>
        <div>
          <dt className="inline text-slate-600">Last seen </dt>
          <dd className="inline">
            <Timestamp at={lastSeenAt} empty="never" />
          </dd>
        </div>
        <div>
          <dt className="inline text-slate-600">Last decision </dt>
          <dd className="inline">
            <Timestamp at={lastDecision} empty="never" />
          </dd>
        </div>
      </dl>
      <p className="flex flex-wrap gap-x-4 text-sm">
        <Link className="text-indigo-800 underline" href={a.links.audit}>
          Audit entries of {agent.name}
        </Link>
        <Link className="text-indigo-800 underline" href={a.links.denies}>
          Its denies
        </Link>
        <Link className="text-indigo-800 underline" href={a.links.sessions}>
          Its sessions
        </Link>
      </p>
      {a.totals.decisions === 0 && a.totals.sessions === 0 ? (
        <p className="text-sm text-slate-700">No decisions and no sessions in the last {span}. Try a longer range.</p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <div>
            <h3 className="text-sm font-medium">Sessions opened and deny rate, UTC</h3>
            <AgentActivityChart points={a.points} />
          </div>
          <div>
            <h3 className="text-sm font-medium">Decisions by outcome, UTC; click a bar for those decisions</h3>
            <DecisionsChart data={overTime} />
          </div>
        </div>
      )}
      {a.tools.length > 0 && (
        <table className="w-full text-left text-sm" data-testid="agent-tools">
          <caption className="text-left text-sm font-medium">Tools called in the last {span}</caption>
          <thead>
            <tr className="border-b border-slate-300 text-slate-700">
              <th scope="col" className="py-1 pr-3">
                Tool
              </th>
              <th scope="col" className="py-1 pr-3">
                Calls
              </th>
              <th scope="col" className="py-1 pr-3">
                Denied
              </th>
              <th scope="col" className="py-1">
                Needed approval
              </th>
            </tr>
          </thead>
          <tbody>
            {a.tools.map((t) => (
              <tr key={t.tool} className="border-b border-slate-200">
                <td className="py-1 pr-3">
                  <Link className="font-mono text-xs text-indigo-800 underline" href={t.href}>
                    {t.tool}
                  </Link>
                </td>
                <td className="py-1 pr-3 tabular-nums">{t.calls.toLocaleString("en")}</td>
                <td className="py-1 pr-3 tabular-nums">
                  {t.denies > 0 ? (
                    <Link className="text-red-800 underline" href={t.deniesHref}>
                      {t.denies.toLocaleString("en")}
                    </Link>
                  ) : (
                    0
                  )}
                </td>
                <td className="py-1 tabular-nums">{t.approvals.toLocaleString("en")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
