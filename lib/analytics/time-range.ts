/**
 * Time-range filters shared by the session list, the audit explorer and the dashboard: relative
 * presets ("last 24 hours") and absolute ranges ("<from ISO>~<to ISO>", what a chart's drill-down
 * links to). Pure.
 */
import type { FilterDef, FilterOption } from "../console/table/definition.ts";

export const TIME_PRESETS = [
  { value: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 3_600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

export interface Range {
  /** Absent: open at the start (an absolute range given only its end). */
  from?: string;
  to?: string;
}

/** The range picker's presets: the table presets plus "all" (no time bound). */
export const RANGE_PRESETS = [
  ...TIME_PRESETS.map((p) => ({ value: p.value, label: p.label, short: p.value })),
  { value: "all", label: "All time", short: "all" },
];

/**
 * A page's time range as it is in the URL: `?range=<preset>` or `?from=<ISO>&to=<ISO>` (either end may be
 * left out). Raw text: lib/console/range-params.ts validates it on the server.
 */
export interface RangeParams {
  range?: string;
  from?: string;
  to?: string;
}

/** The URL parameters of a range ("" for the page's default). */
export function rangeToParams(r: RangeParams): Record<string, string> {
  if (r.range) return { range: r.range };
  const out: Record<string, string> = {};
  if (r.from) out.from = r.from;
  if (r.to) out.to = r.to;
  return out;
}

/** The legacy `?time=` value of a link (a preset or "<from>~<to>") as range parameters. */
export function legacyTimeParams(value: string): RangeParams {
  const m = /^([^~]*)~([^~]*)$/.exec(value);
  if (!m) return { range: value };
  return { ...(m[1] ? { from: m[1] } : {}), ...(m[2] ? { to: m[2] } : {}) };
}

/** An absolute range as a filter value. */
export function rangeValue(from: string | Date, to: string | Date): string {
  return `${new Date(from).toISOString()}~${new Date(to).toISOString()}`;
}

export function resolveTime(value: string | undefined, now = Date.now()): Range | null {
  if (!value) return null;
  const preset = TIME_PRESETS.find((p) => p.value === value);
  if (preset) return { from: new Date(now - preset.ms).toISOString() };
  const m = /^([^~]*)~([^~]*)$/.exec(value);
  if (!m || (!m[1] && !m[2])) return null;
  const from = m[1] ? Date.parse(m[1]) : null;
  const to = m[2] ? Date.parse(m[2]) : null;
  if (Number.isNaN(from) || Number.isNaN(to) || (from !== null && to !== null && to <= from)) return null;
  return { ...(from !== null ? { from: new Date(from).toISOString() } : {}), ...(to !== null ? { to: new Date(to).toISOString() } : {}) };
}

const fmt = (iso: string) => iso.slice(0, 16).replace("T", " ");

export function timeOptionLabel(value: string): string {
  const preset = TIME_PRESETS.find((p) => p.value === value);
  if (preset) return preset.label;
  const r = resolveTime(value);
  if (!r) return value;
  if (!r.from) return `until ${fmt(r.to ?? "")} UTC`;
  if (!r.to) return `since ${fmt(r.from)} UTC`;
  return `${fmt(r.from)} – ${r.to.slice(0, 10) === r.from.slice(0, 10) ? r.to.slice(11, 16) : fmt(r.to)} UTC`;
}

/** The time filter of a table; an absolute range in the URL becomes one more option so it survives paging. */
export function timeFilter(current: string | string[] | undefined, label = "Time"): FilterDef {
  const options: FilterOption[] = TIME_PRESETS.map((p) => ({ value: p.value, label: p.label }));
  const cur = Array.isArray(current) ? current[0] : current;
  if (cur && !options.some((o) => o.value === cur) && resolveTime(cur)) options.push({ value: cur, label: timeOptionLabel(cur) });
  return { id: "time", label, kind: "select", options };
}

/** A select filter with exactly the value in the URL (e.g. a session id from a link), so it can be seen and cleared. */
export function linkedFilter(
  id: string,
  label: string,
  current: string | string[] | undefined,
  valid: (v: string) => boolean,
  show: (v: string) => string = (v) => v,
): FilterDef | null {
  const cur = (Array.isArray(current) ? current[0] : current)?.trim();
  if (!cur || !valid(cur)) return null;
  return { id, label, kind: "select", options: [{ value: cur, label: show(cur) }] };
}

/**
 * The range a drag over a time chart selects: from the start of the first point dragged over to the end
 * of the last (either direction); null for a drag that stays on one point (a click).
 */
export function zoomRange(points: ReadonlyArray<{ t: string }>, a: number, b: number, bucketMs: number): { from: string; to: string } | null {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === hi || lo < 0 || hi >= points.length) return null;
  return { from: new Date(points[lo].t).toISOString(), to: new Date(Date.parse(points[hi].t) + bucketMs).toISOString() };
}
