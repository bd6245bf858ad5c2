import Link from "next/link";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { requireUser } from "@/app/auth";
import { ApprovalAgesChart } from "@/components/charts/approval-ages-chart";
import { DecisionsChart } from "@/components/charts/decisions-chart";
import { RankedBars } from "@/components/charts/ranked-bars";
import { RiskMixChart } from "@/components/charts/risk-mix-chart";
import { ActiveSessions } from "@/components/dashboard/active-sessions";
import { Card, Empty } from "@/components/dashboard/card";
import { LatestDecisions } from "@/components/dashboard/latest-decisions";
import { RangeTabs } from "@/components/dashboard/range-tabs";
import { SearchBox } from "@/components/search/search-box";
import { recentDecisions } from "@/lib/audit/recent-decisions";
import { activeSessions, agentNames, decisionFacts, pendingApprovalTimes, toolClasses } from "@/lib/analytics/dashboard-queries";
import { OUTCOME_COLORS } from "@/lib/analytics/palette";
import {
  DASHBOARD_RANGES,
  dashboardWindow,
  formatDuration,
  prepareApprovalAges,
  prepareDecisionsOverTime,
  prepareRiskMix,
  prepareTopDenied,
} from "@/lib/analytics/prepare-dashboard";

export const metadata = { title: "Dashboard" };

/** Each card loads on its own: one failing query shows its error in its card, not a blank dashboard. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; v: T } | { ok: false; error: string }> {
  return p.then(
    (v) => ({ ok: true as const, v }),
    (e: Error) => ({ ok: false as const, error: e.message }),
  );
}

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  await requireUser();
  const now = Date.now();
  const w = dashboardWindow((await searchParams).range, now);
  const [facts, tools, names, active, pending, latest] = await Promise.all([
    settle(decisionFacts(w.from, w.to, w.bucketMs)),
    settle(toolClasses()),
    settle(agentNames()),
    settle(activeSessions(15 * 60_000)),
    settle(pendingApprovalTimes()),
    settle(recentDecisions(10)),
  ]);
  const factErr = facts.ok ? null : facts.error;
  const f = facts.ok ? facts.v : [];
  const overTime = prepareDecisionsOverTime(f, w);
  const span = DASHBOARD_RANGES[w.range].label;
  const ages = pending.ok ? prepareApprovalAges(pending.v, now) : null;
  const noDecisions = <Empty>No decisions in the last {span}. Try a longer range, or put an agent behind the gateway.</Empty>;
  const noDenies = <Empty>Nothing was denied in the last {span}.</Empty>;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold">Dashboard</h1>
          <p className="text-sm text-slate-700">
            {overTime.total.toLocaleString("en")} decisions in the last {span} · {(overTime.denyRate * 100).toFixed(1)}% denied. Every chart opens the list
            behind it.
          </p>
        </div>
        <RangeTabs current={w.range} />
      </div>
      <ShadowBanner />
      <SearchBox id="dashboard-search-q" wide />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card
          id="over-time"
          className="lg:col-span-2"
          title="Decisions over time"
          subtitle={`by outcome, UTC; click a bar for those decisions`}
          error={factErr}
        >
          {overTime.total ? <DecisionsChart data={overTime} /> : noDecisions}
        </Card>
        <div className="space-y-4">
          <Card id="active" title="Sessions active now" error={active.ok ? null : active.error}>
            {active.ok && <ActiveSessions count={active.v.count} latest={active.v.latest} />}
          </Card>
          <Card
            id="approvals"
            title="Pending approvals"
            error={pending.ok ? null : pending.error}
            subtitle={
              ages && ages.count
                ? `oldest waiting ${formatDuration(ages.oldestMs)}${ages.soonestExpiryMs !== null ? ` · next expires in ${formatDuration(ages.soonestExpiryMs)}` : ""}`
                : undefined
            }
          >
            {ages && (
              <>
                <Link href="/approvals" className="text-4xl font-semibold tabular-nums text-indigo-800 underline" data-testid="pending-count">
                  {ages.count}
                </Link>
                <span className="ml-2 text-sm text-slate-700">waiting for a human</span>
                {ages.count > 0 ? <ApprovalAgesChart ages={ages} /> : <p className="mt-2 text-sm text-slate-700">Nothing is waiting for a decision.</p>}
              </>
            )}
          </Card>
        </div>
        <Card id="denied-tools" title="Most denied tools" subtitle={`last ${span}`} error={factErr}>
          {(() => {
            const bars = prepareTopDenied(f, "tool", w);
            return bars.length ? <RankedBars bars={bars} color={OUTCOME_COLORS.deny} unit="denied" /> : noDenies;
          })()}
        </Card>
        <Card id="denied-agents" title="Most denied agents" subtitle={`last ${span}`} error={factErr ?? (names.ok ? null : names.error)}>
          {(() => {
            const bars = prepareTopDenied(f, "agent", w, names.ok ? names.v : new Map<string, string>());
            return bars.length ? <RankedBars bars={bars} color={OUTCOME_COLORS.deny} unit="denied" /> : noDenies;
          })()}
        </Card>
        <Card
          id="risk-mix"
          title="Risk of the tools called"
          subtitle={`all decisions, last ${span}, by the tool's approved risk`}
          error={factErr ?? (tools.ok ? null : tools.error)}
        >
          {(() => {
            const slices = prepareRiskMix(f, tools.ok ? tools.v : [], w);
            return slices.length ? <RiskMixChart slices={slices} /> : noDecisions;
          })()}
        </Card>
      </div>
      <Card id="latest" title="Latest decisions" error={latest.ok ? null : latest.error}>
        {latest.ok && <LatestDecisions decisions={latest.v} />}
      </Card>
    </div>
  );
}
