"use client";

import { ago } from "@/lib/console/format";
import { formatTimestamp } from "@/lib/console/time";
import { useDisplayZone } from "./zone";

/**
 * A point in time in the console's one format (`2026-12-06 04:45:34.680 UTC`, or with the user's zone
 * offset), from lib/console/time.ts. `relative` adds "3h ago" after it as a secondary hint (lists); that
 * hint is computed on the server and again at hydration and the two may differ by a second or a clock
 * difference, so only it keeps the server's text (suppressHydrationWarning), never the absolute time.
 */
export function Timestamp({
  at,
  relative = false,
  empty = "never",
  className = "",
}: {
  at: string | null;
  relative?: boolean;
  empty?: string;
  className?: string;
}) {
  const zone = useDisplayZone();
  if (!at) return <span className="text-slate-500">{empty}</span>;
  const text = formatTimestamp(at, zone);
  return (
    <span className={`whitespace-nowrap ${className}`}>
      <time dateTime={at} className="font-mono text-xs" data-zone={zone}>
        {text}
      </time>
      {relative && (
        <span className="ml-1 text-xs text-slate-500" suppressHydrationWarning>
          ({ago(at)})
        </span>
      )}
    </span>
  );
}
