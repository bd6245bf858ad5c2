/**
 * The time range of the dashboard, the session list and the audit explorer, from the URL: `?range=<preset>`
 * (15m, 1h, 24h, 7d, 30d, all) or `?from=<ISO>&to=<ISO>` (either end may be left out). Validated here with
 * zod on the server; a malformed range is not an error page: the page shows `error` and its default range.
 * Server-only (zod builds its schemas at module load, which the console's CSP forbids in the browser).
 */
import { z } from "zod";
import { RANGE_PRESETS, timeOptionLabel, type RangeParams } from "../analytics/time-range.ts";
import type { TableDefinition, TableState } from "./table/definition.ts";

const PRESETS = RANGE_PRESETS.map((p) => p.value);
const instant = z.iso.datetime({ offset: true, error: "must be a time in ISO 8601 with its zone, e.g. 2026-12-07T10:00:00Z" });

export const rangeParamsSchema = z
  .object({
    range: z.enum(PRESETS as [string, ...string[]], { error: `must be one of ${PRESETS.join(", ")}` }).optional(),
    from: instant.optional(),
    to: instant.optional(),
  })
  .refine((r) => !(r.range && (r.from || r.to)), "give either range or from/to, not both")
  .refine((r) => !(r.from && r.to) || Date.parse(r.from) < Date.parse(r.to), "from must be before to");

export interface ResolvedRange {
  /** The parameters in force (the default's when the URL's were refused). */
  params: RangeParams;
  /** A preset's value, or "custom". */
  key: string;
  /** Null: unbounded at that end. */
  from: Date | null;
  to: Date | null;
  /** "the last 24 hours", "all time", "2026-12-07 10:00 – 12:00 UTC". */
  label: string;
  /** Why the URL's range was refused, for the page to show (null: accepted). */
  error: string | null;
}

function resolve(p: RangeParams, now: number): Omit<ResolvedRange, "error"> {
  if (p.range) {
    const preset = RANGE_PRESETS.find((x) => x.value === p.range)!;
    const ms = { "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 }[p.range];
    return { params: p, key: p.range, from: ms ? new Date(now - ms) : null, to: null, label: preset.label.replace(/^Last/, "the last").replace(/^All/, "all") };
  }
  const from = p.from ? new Date(p.from) : null;
  const to = p.to ? new Date(p.to) : null;
  const params: RangeParams = { ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}) };
  return { params, key: "custom", from, to, label: timeOptionLabel(`${params.from ?? ""}~${params.to ?? ""}`) };
}

/** The range the parameters name; with none, `fallback` (a preset); with bad ones, `fallback` and the reason. */
export function parseRange(raw: RangeParams, fallback: string, now = Date.now()): ResolvedRange {
  const given = { ...(raw.range ? { range: raw.range } : {}), ...(raw.from ? { from: raw.from } : {}), ...(raw.to ? { to: raw.to } : {}) };
  const r = rangeParamsSchema.safeParse(given);
  if (!r.success) {
    const why = r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")} ${i.message}` : i.message)).join("; ");
    return { ...resolve({ range: fallback }, now), error: `The time range in the address was not understood (${why}); showing ${fallback} instead.` };
  }
  const p = r.data.range || r.data.from || r.data.to ? r.data : { range: fallback };
  return { ...resolve(p, now), error: null };
}

/**
 * A table state with its range applied: the range becomes the `time` filter the table's SQL mapping
 * reads (sessions: active during the range; audit: written in it). Lists default to all time.
 */
export function applyTableRange(def: TableDefinition, state: TableState, now = Date.now()): { state: TableState; range: ResolvedRange | null } {
  if (!def.range) return { state, range: null };
  const range = parseRange(state.extra ?? {}, "all", now);
  if (!range.from && !range.to) return { state, range };
  const time = `${range.from?.toISOString() ?? ""}~${range.to?.toISOString() ?? ""}`;
  return { state: { ...state, filters: { ...state.filters, time: [time] } }, range };
}
