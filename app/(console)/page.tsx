import Link from "next/link";
import { ShadowBanner } from "@/components/policies/shadow-banner";
import { requireUser } from "@/app/auth";
import { ApprovalAgesChart } from "@/components/charts/approval-ages-chart";
import { DecisionsChart } from "@/components/charts/decisions-chart";
import { ZoomReset } from "@/components/charts/drag-zoom";
import { RankedBars } from "@/components/charts/ranked-bars";
import { RiskMixChart } from "@/components/charts/risk-mix-chart";
import { ActiveSessions } from "@/components/dashboard/active-sessions";
import { Card, Empty } from "@/components/dashboard/card";
import { LatestDecisions } from "@/components/dashboard/latest-decisions";
import { SearchBox } from "@/components/search/search-box";
import { PageViews } from "@/components/views/page-views";
import { TimeToolbar } from "@/components/time/time-toolbar";
import { parseRange } from "@/lib/console/range-params";
import type { SearchParams } from "@/lib/console/table/definition";
import { recentDecisions } from "@/lib/audit/recent-decisions";
import { activeSessions, agentNames, decisionFacts, firstDecisionAt, pendingApprovalTimes, toolClasses } from "@/lib/analytics/dashboard-queries";
import { OUTCOME_COLORS } from "@/lib/analytics/palette";
import {
  formatDuration,
  prepareApprovalAges,
  prepareDecisionsOverTime,
  prepareRiskMix,
  prepareTopDenied,
  rangeWindow,
} from "@/lib/analytics/prepare-dashboard";

export const metadata = { title: "Dashboard" };

/** Each card loads on its own: one failing query shows its error in its card, not a blank dashboard. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; v: T } | { ok: false; error: string }> {
  return p.then(
    (v) => ({ ok: true as const, v }),
    (e: Error) => ({ ok: false as const, error: e.message }),
  );
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const sp = await searchParams;
  const renderedAt = new Date();
  const now = renderedAt.getTime();
  // The range picker's range (zod-validated; 24 hours by default); all time starts at the first decision.
  const range = parseRange({ range: one(sp.range), from: one(sp.from), to: one(sp.to) }, "24h", now);
  const start = range.from?.getTime() ?? (await firstDecisionAt().catch(() => null))?.getTime() ?? now - 86_400_000;
  const w = rangeWindow(start, range.to?.getTime() ?? now, range.key !== "custom");
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
  const span = range.label;
  const ages = pending.ok ? prepareApprovalAges(pending.v, now) : null;
  const noDecisions = <Empty>No decisions in {span}. Try a longer range, or put an agent behind the gateway.</Empty>;
  const noDenies = <Empty>Nothing was denied in {span}.</Empty>;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold">Dashboard</h1>
          <p className="text-sm text-slate-700">
            {overTime.total.toLocaleString("en")} decisions in {span} · {(overTime.denyRate * 100).toFixed(1)}% denied. Every chart opens the list behind it.
          </p>
        </div>
      </div>
      <TimeToolbar range={range} fallback="24h" updatedAt={renderedAt}>
        <PageViews userId={user.id} page="dashboard" view={sp.view} />
      </TimeToolbar>
      <ShadowBanner />
      <SearchBox id="dashboard-search-q" wide />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card
          id="over-time"
          className="lg:col-span-2"
          title="Decisions over time"
          subtitle={`by outcome, UTC; click a bar for those decisions, drag across bars to zoom`}
          error={factErr}
        >
          {overTime.total ? (
            <DecisionsChart data={overTime} zoom={{ fallback: "24h", zoomed: range.key === "custom" }} />
          ) : (
            <>
              {range.key === "custom" && <ZoomReset fallback="24h" />}
              {noDecisions}
            </>
          )}
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
        <Card id="denied-tools" title="Most denied tools" subtitle={span} error={factErr}>
          {(() => {
            const bars = prepareTopDenied(f, "tool", w);
            return bars.length ? <RankedBars bars={bars} color={OUTCOME_COLORS.deny} unit="denied" /> : noDenies;
          })()}
        </Card>
        <Card id="denied-agents" title="Most denied agents" subtitle={span} error={factErr ?? (names.ok ? null : names.error)}>
          {(() => {
            const bars = prepareTopDenied(f, "agent", w, names.ok ? names.v : new Map<string, string>());
            return bars.length ? <RankedBars bars={bars} color={OUTCOME_COLORS.deny} unit="denied" /> : noDenies;
          })()}
        </Card>
        <Card
          id="risk-mix"
          title="Risk of the tools called"
          subtitle={`all decisions, ${span}, by the tool's approved risk`}
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
