"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { RANGE_PRESETS, rangeToParams, type RangeParams } from "@/lib/analytics/time-range";
import { isoToZonedInput, zonedInputToIso } from "@/lib/console/time";
import { useDisplayZone } from "./zone";

/** What the server resolved (lib/console/range-params.ts), as plain data. */
export interface PickerRange {
  key: string;
  from: string | null;
  to: string | null;
  label: string;
}

/** The URL of the current page with another range (and the first page of a list: no cursor). */
export function useRangeHref(fallback: string) {
  const pathname = usePathname();
  const sp = useSearchParams();
  return (r: RangeParams) => {
    const next = new URLSearchParams(sp.toString());
    for (const k of ["range", "from", "to", "time", "after", "before"]) next.delete(k);
    for (const [k, v] of Object.entries(rangeToParams(r.range === fallback ? {} : r))) next.set(k, v);
    const qs = next.toString();
    return qs ? `${pathname}?${qs}` : pathname;
  };
}

/**
 * The time range of the dashboard, the session list and the audit explorer: presets (15 min … all) and
 * an absolute range whose inputs are read in the user's display zone; the choice goes into the URL
 * (`?range=` or `?from=&to=`), where the server reads and validates it. `fallback` is the page's default
 * preset (left out of the URL).
 */
export function RangePicker({ current, fallback, label = "Time range" }: { current: PickerRange; fallback: string; label?: string }) {
  const zone = useDisplayZone();
  const router = useRouter();
  const href = useRangeHref(fallback);
  const [from, setFrom] = useState(current.from ? isoToZonedInput(current.from, zone) : "");
  const [to, setTo] = useState(current.to ? isoToZonedInput(current.to, zone) : "");
  const [error, setError] = useState<string | null>(null);
  const custom = current.key === "custom";
  function apply(e: React.FormEvent) {
    e.preventDefault();
    const f = from ? zonedInputToIso(from, zone) : null;
    const t = to ? zonedInputToIso(to, zone) : null;
    if (!f && !t) return setError("Give a start, an end or both.");
    if (f && t && f >= t) return setError("The start must be before the end.");
    setError(null);
    router.push(href({ ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) }));
  }
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label={label} data-testid="range-picker">
      <span className="text-slate-700">{label}</span>
      <span className="flex gap-1">
        {RANGE_PRESETS.map((p) => (
          <button
            key={p.value}
            type="button"
            aria-pressed={current.key === p.value}
            title={p.label}
            onClick={() => router.push(href({ range: p.value }))}
            className={`rounded px-2 py-1 ${current.key === p.value ? "bg-indigo-700 text-white" : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100"}`}
          >
            {p.short}
          </button>
        ))}
      </span>
      <details className="relative">
        <summary
          className={`cursor-pointer list-none rounded px-2 py-1 ${custom ? "bg-indigo-700 text-white" : "border border-slate-300 bg-white text-slate-800"}`}
          data-testid="range-custom"
        >
          {custom ? current.label : "Custom…"} <span aria-hidden>▾</span>
        </summary>
        <form onSubmit={apply} className="absolute right-0 z-20 mt-1 w-72 space-y-2 rounded border border-slate-300 bg-white p-3 shadow-lg">
          <label className="block">
            <span className="text-xs text-slate-700">From ({zone})</span>
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} className="w-full rounded border border-slate-300 px-2 py-1" />
          </label>
          <label className="block">
            <span className="text-xs text-slate-700">To ({zone})</span>
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} className="w-full rounded border border-slate-300 px-2 py-1" />
          </label>
          {error && (
            <p role="alert" className="text-xs text-red-800">
              {error}
            </p>
          )}
          <button type="submit" className="rounded bg-indigo-700 px-3 py-1 text-white">
            Apply range
          </button>
        </form>
      </details>
    </div>
  );
}

/** The server's reason for refusing the range in the URL. */
export function RangeError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="range-error">
      {error}
    </p>
  );
}
