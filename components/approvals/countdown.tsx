"use client";

import { useEffect, useState } from "react";
import { formatDuration } from "@/lib/analytics/prepare-dashboard";

/** Time left until an approval expires, ticking every second; urgent under two minutes. */
export function Countdown({ expiresAt, skewMs = 0 }: { expiresAt: string; skewMs?: number }) {
  const [now, setNow] = useState(() => Date.now() + skewMs);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + skewMs), 1000);
    return () => clearInterval(t);
  }, [skewMs]);
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return <span className="font-medium text-red-800">expired</span>;
  return (
    <span className={left < 120_000 ? "font-medium text-red-800" : "text-slate-800"} title={`expires ${expiresAt}`}>
      expires in {formatDuration(left)}
    </span>
  );
}
