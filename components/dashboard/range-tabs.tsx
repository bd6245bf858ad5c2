import Link from "next/link";
import { DASHBOARD_RANGES, type DashboardRange } from "@/lib/analytics/prepare-dashboard";

/** Links to `path` (default the dashboard) with `?range=`; 24 hours is the default, without it. */
export function RangeTabs({ current, path = "/" }: { current: DashboardRange; path?: string }) {
  return (
    <nav aria-label="Time range" className="flex gap-1 text-sm">
      {(Object.keys(DASHBOARD_RANGES) as DashboardRange[]).map((r) => (
        <Link
          key={r}
          href={r === "24h" ? path : `${path}?range=${r}`}
          aria-current={r === current ? "page" : undefined}
          className={`rounded px-3 py-1 ${r === current ? "bg-indigo-700 text-white" : "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100"}`}
        >
          {DASHBOARD_RANGES[r].label}
        </Link>
      ))}
    </nav>
  );
}
