"use client";

import { useEffect, useState } from "react";
import { useDisplayZone } from "@/components/time/zone";
import { formatDuration } from "@/lib/analytics/prepare-dashboard";
import { formatTimestamp } from "@/lib/console/time";

/**
 * Time left until an approval expires, ticking every second; urgent under two minutes. One element
 * with one text either way, whose server-rendered text and class are kept when hydration computes
 * another (a second or a clock difference later): see components/forms/time-ago.tsx.
 */
export function Countdown({ expiresAt, skewMs = 0 }: { expiresAt: string; skewMs?: number }) {
  const zone = useDisplayZone();
  const [now, setNow] = useState(() => Date.now() + skewMs);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + skewMs), 1000);
    return () => clearInterval(t);
  }, [skewMs]);
  const left = Date.parse(expiresAt) - now;
  return (
    <span
      className={left < 120_000 ? "font-medium text-red-800" : "text-slate-800"}
      title={`expires ${formatTimestamp(expiresAt, zone)}`}
      suppressHydrationWarning
    >
      {left <= 0 ? "expired" : `expires in ${formatDuration(left)}`}
    </span>
  );
}
