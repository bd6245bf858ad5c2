"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { formatClock } from "@/lib/console/time";
import { useDisplayZone } from "./zone";

/** The periods offered, as they are in the URL (`?refresh=`); absent or anything else: off. */
export const REFRESH_PERIODS = { "10s": 10_000, "30s": 30_000, "1m": 60_000 } as const;

/** Whether a refresh now would disturb the reader: the tab is hidden or a drawer is open over the list. */
function shouldPause(): boolean {
  return document.visibilityState === "hidden" || document.querySelector('[role="dialog"]') !== null;
}

/**
 * Auto-refresh of a server-rendered page (the dashboard, sessions, audit): off / 10 s / 30 s / 1 min,
 * kept in the URL (`?refresh=30s`, so a shared link or saved view refreshes too), paused while the tab
 * is hidden or a drawer is open. `updatedAt` is when the server rendered the data (a prop, so the
 * server's HTML and the hydrated page say the same); each refresh re-renders the page on the server and
 * brings the new time.
 */
export function AutoRefresh({ updatedAt }: { updatedAt: string }) {
  const zone = useDisplayZone();
  const router = useRouter();
  const pathname = usePathname();
  const sp = useSearchParams();
  const raw = sp.get("refresh") ?? "";
  const period = raw in REFRESH_PERIODS ? REFRESH_PERIODS[raw as keyof typeof REFRESH_PERIODS] : 0;
  const [paused, setPaused] = useState(false);
  const elapsed = useRef(0);
  useEffect(() => {
    elapsed.current = 0;
    if (!period) return;
    const id = setInterval(() => {
      const p = shouldPause();
      setPaused(p);
      if (p) return;
      elapsed.current += 1000;
      if (elapsed.current >= period) {
        elapsed.current = 0;
        router.refresh();
      }
    }, 1000);
    return () => clearInterval(id);
  }, [period, router, updatedAt]);
  function choose(v: string) {
    const next = new URLSearchParams(sp.toString());
    if (v) next.set("refresh", v);
    else next.delete("refresh");
    const qs = next.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname);
  }
  return (
    <span className="flex items-center gap-2 text-sm text-slate-700">
      <label className="flex items-center gap-1">
        <span>Auto-refresh</span>
        <select
          value={period ? raw : ""}
          onChange={(e) => choose(e.target.value)}
          className="rounded border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
          data-testid="auto-refresh"
        >
          <option value="">off</option>
          <option value="10s">10 s</option>
          <option value="30s">30 s</option>
          <option value="1m">1 min</option>
        </select>
      </label>
      <span data-testid="updated-at" className="font-mono text-xs">
        updated at {formatClock(updatedAt, zone)}
        {period > 0 && paused ? " (paused)" : ""}
      </span>
    </span>
  );
}
