/**
 * Chart data for the dashboard, decided here and only here: every number, colour, label and the
 * drill-down link of every bar/slice. The recharts components only draw what these return. Pure and
 * deterministic (UTC labels), so they are unit-tested.
 */
import { auditHref } from "../audit/queries-filters.ts";
import type { DecisionFact, PendingApproval, ToolClass } from "./dashboard-queries.ts";
import { AGE_COLORS, OUTCOME_COLORS, OUTCOME_LABELS, RISK_COLORS, RISK_ORDER } from "./palette.ts";
import { rangeValue } from "./time-range.ts";

export const DASHBOARD_RANGES = {
  "24h": { label: "24 hours", spanMs: 86_400_000, bucketMs: 3_600_000 },
  "7d": { label: "7 days", spanMs: 7 * 86_400_000, bucketMs: 6 * 3_600_000 },
  "30d": { label: "30 days", spanMs: 30 * 86_400_000, bucketMs: 86_400_000 },
} as const;
export type DashboardRange = keyof typeof DASHBOARD_RANGES;

/** A time window cut into whole buckets: what the charts draw. */
export interface TimeWindow {
  from: Date;
  to: Date;
  bucketMs: number;
}

export interface DashboardWindow extends TimeWindow {
  range: DashboardRange;
}

const BUCKETS = [60_000, 5 * 60_000, 15 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000];

/**
 * The window of any range (the range picker's presets, an absolute range, all time), in whole buckets of
 * the smallest size that gives at most 60 (15 min and 1 h → 1 min, 24 h → 1 h, 7 d → 6 h, 30 d → 1 day).
 * With `endsNow` (a preset) the window ends at the bucket boundary after `to`, as dashboardWindow does;
 * otherwise it covers [from, to) widened to whole buckets.
 */
export function rangeWindow(from: number, to: number, endsNow = false): TimeWindow {
  const span = Math.max(to - from, 60_000);
  const bucketMs = BUCKETS.find((b) => span / b <= 60) ?? Math.ceil(span / 60 / 86_400_000) * 86_400_000;
  const end = Math.ceil(to / bucketMs) * bucketMs;
  const start = endsNow ? end - Math.ceil(span / bucketMs) * bucketMs : Math.floor(from / bucketMs) * bucketMs;
  return { from: new Date(start), to: new Date(Math.max(end, start + bucketMs)), bucketMs };
}

/** The window ends at the next bucket boundary after `now`, so buckets are whole and stable. */
export function dashboardWindow(range: string | undefined, now: number): DashboardWindow {
  const key: DashboardRange = range === "7d" || range === "30d" ? range : "24h";
  const { spanMs, bucketMs } = DASHBOARD_RANGES[key];
  const to = Math.ceil(now / bucketMs) * bucketMs;
  return { range: key, from: new Date(to - spanMs), to: new Date(to), bucketMs };
}

const OUTCOMES = ["allow", "deny", "require_approval"] as const;
const DECISION_KIND = ["decision"];

export function bucketLabel(t: number, bucketMs: number): string {
  const iso = new Date(t).toISOString();
  if (bucketMs >= 86_400_000) return iso.slice(5, 10);
  if (bucketMs > 3_600_000) return `${iso.slice(5, 10)} ${iso.slice(11, 13)}h`;
  return iso.slice(11, 16);
}

export interface TimePoint {
  t: string;
  label: string;
  allow: number;
  deny: number;
  require_approval: number;
  total: number;
  hrefs: Record<(typeof OUTCOMES)[number], string>;
}

export interface DecisionsOverTime {
  points: TimePoint[];
  series: Array<{ key: (typeof OUTCOMES)[number]; label: string; color: string; total: number }>;
  total: number;
  denyRate: number;
  /** The width of a point's interval (drag-to-zoom turns a run of points into a range). */
  bucketMs: number;
}

/** With `agent` (an agent id), every bar's link opens that agent's decisions only. */
export function prepareDecisionsOverTime(facts: DecisionFact[], w: TimeWindow, agent?: string): DecisionsOverTime {
  const start = w.from.getTime();
  const n = Math.round((w.to.getTime() - start) / w.bucketMs);
  const points: TimePoint[] = Array.from({ length: n }, (_, i) => {
    const t = start + i * w.bucketMs;
    const time = rangeValue(new Date(t), new Date(t + w.bucketMs));
    const href = (o: string) => auditHref({ kind: DECISION_KIND, outcome: [o], time, agent });
    return {
      t: new Date(t).toISOString(),
      label: bucketLabel(t, w.bucketMs),
      allow: 0,
      deny: 0,
      require_approval: 0,
      total: 0,
      hrefs: { allow: href("allow"), deny: href("deny"), require_approval: href("require_approval") },
    };
  });
  for (const f of facts) {
    const i = Math.floor((Date.parse(f.bucket) - start) / w.bucketMs);
    const p = points[i];
    if (!p || !(OUTCOMES as readonly string[]).includes(f.outcome)) continue;
    p[f.outcome as (typeof OUTCOMES)[number]] += f.n;
    p.total += f.n;
  }
  const series = OUTCOMES.map((key) => ({ key, label: OUTCOME_LABELS[key], color: OUTCOME_COLORS[key], total: points.reduce((s, p) => s + p[key], 0) }));
  const total = series.reduce((s, x) => s + x.total, 0);
  return { points, series, total, denyRate: total ? series[1].total / total : 0, bucketMs: w.bucketMs };
}

export interface RankedBar {
  key: string;
  label: string;
  count: number;
  /** Share of all denies in the window, 0..1. */
  share: number;
  href: string;
}

/** The tools or agents with the most denies in the window, most first (ties by name). */
export function prepareTopDenied(facts: DecisionFact[], by: "tool" | "agent", w: TimeWindow, names: Map<string, string> = new Map(), limit = 6): RankedBar[] {
  const counts = new Map<string, number>();
  let all = 0;
  for (const f of facts) {
    if (f.outcome !== "deny") continue;
    const key = by === "tool" ? f.tool : (f.agentId ?? "?");
    counts.set(key, (counts.get(key) ?? 0) + f.n);
    all += f.n;
  }
  const time = rangeValue(w.from, w.to);
  return [...counts.entries()]
    .map(([key, count]) => ({
      key,
      label: by === "tool" ? key : (names.get(key) ?? key),
      count,
      share: all ? count / all : 0,
      href: auditHref({ kind: DECISION_KIND, outcome: ["deny"], time, ...(by === "tool" ? { tool: [key] } : { agent: key }) }),
    }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
    .slice(0, limit);
}

export interface RiskSlice {
  risk: string;
  label: string;
  count: number;
  share: number;
  color: string;
  tools: string[];
  href: string;
}

/** Calls in the window by the risk of the tool called (unapproved or unknown tools: "unclassified"). */
export function prepareRiskMix(facts: DecisionFact[], tools: ToolClass[], w: TimeWindow): RiskSlice[] {
  const riskOf = new Map(tools.map((t) => [t.key, t.risk ?? "unclassified"]));
  const slices = new Map<string, { count: number; tools: Set<string> }>();
  let all = 0;
  for (const f of facts) {
    const risk = riskOf.get(f.tool) ?? "unclassified";
    const s = slices.get(risk) ?? { count: 0, tools: new Set<string>() };
    s.count += f.n;
    s.tools.add(f.tool);
    slices.set(risk, s);
    all += f.n;
  }
  const time = rangeValue(w.from, w.to);
  return RISK_ORDER.filter((r) => slices.has(r)).map((risk) => {
    const s = slices.get(risk)!;
    const list = [...s.tools].sort();
    return {
      risk,
      label: risk,
      count: s.count,
      share: all ? s.count / all : 0,
      color: RISK_COLORS[risk],
      tools: list,
      href: auditHref({ kind: DECISION_KIND, tool: list, time }),
    };
  });
}

export interface ApprovalAges {
  count: number;
  oldestMs: number;
  soonestExpiryMs: number | null;
  buckets: Array<{ label: string; count: number; color: string }>;
}

const AGE_BUCKETS = [
  { label: "< 1 min", max: 60_000 },
  { label: "1–5 min", max: 5 * 60_000 },
  { label: "5–10 min", max: 10 * 60_000 },
  { label: "10 min +", max: Infinity },
];

export function prepareApprovalAges(pending: PendingApproval[], now: number): ApprovalAges {
  const buckets = AGE_BUCKETS.map((b, i) => ({ label: b.label, count: 0, color: AGE_COLORS[i] }));
  let oldest = 0;
  let soonest: number | null = null;
  for (const p of pending) {
    const age = Math.max(0, now - Date.parse(p.createdAt));
    oldest = Math.max(oldest, age);
    const left = Date.parse(p.expiresAt) - now;
    soonest = soonest === null ? left : Math.min(soonest, left);
    buckets[AGE_BUCKETS.findIndex((b) => age < b.max)].count++;
  }
  return { count: pending.length, oldestMs: oldest, soonestExpiryMs: soonest, buckets };
}

/** "3 min", "2 h 5 min", "45 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
