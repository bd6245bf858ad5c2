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
  from: string;
  to?: string;
}

/** An absolute range as a filter value. */
export function rangeValue(from: string | Date, to: string | Date): string {
  return `${new Date(from).toISOString()}~${new Date(to).toISOString()}`;
}

export function resolveTime(value: string | undefined, now = Date.now()): Range | null {
  if (!value) return null;
  const preset = TIME_PRESETS.find((p) => p.value === value);
  if (preset) return { from: new Date(now - preset.ms).toISOString() };
  const m = /^([^~]+)~([^~]+)$/.exec(value);
  if (!m) return null;
  const from = Date.parse(m[1]);
  const to = Date.parse(m[2]);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) return null;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

const fmt = (iso: string) => iso.slice(0, 16).replace("T", " ");

export function timeOptionLabel(value: string): string {
  const preset = TIME_PRESETS.find((p) => p.value === value);
  if (preset) return preset.label;
  const r = resolveTime(value);
  if (!r) return value;
  const to = r.to ?? "";
  return `${fmt(r.from)} – ${to.slice(0, 10) === r.from.slice(0, 10) ? to.slice(11, 16) : fmt(to)} UTC`;
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
