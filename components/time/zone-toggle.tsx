"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { callApi } from "@/components/api/call-api";
import { UTC } from "@/lib/console/time";
import { useDisplayZone } from "./zone";

/** The browser's own zone ("UTC" in a browser set to UTC is stored as "Etc/UTC", so the choice stays "local"). */
function browserZone(): string {
  const z = Intl.DateTimeFormat().resolvedOptions().timeZone || UTC;
  return z === UTC ? "Etc/UTC" : z;
}

/**
 * The header's UTC/local switch. The choice is stored server-side for the user (POST
 * /api/v1/account/preferences), so it follows the user to every browser and the server renders times
 * in it; "local" stores this browser's zone at the time of the click.
 */
export function ZoneToggle() {
  const zone = useDisplayZone();
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const local = zone !== UTC;
  async function toggle() {
    setError(null);
    const r = await callApi("POST", "/api/v1/account/preferences", { time_zone: local ? UTC : browserZone() });
    if (!r.ok) setError(r.error);
    else start(() => router.refresh());
  }
  return (
    <span className="flex items-center gap-1">
      <button
        type="button"
        onClick={() => void toggle()}
        disabled={pending}
        title={local ? `Times are shown in ${zone}; click for UTC` : "Times are shown in UTC; click for this browser's local time"}
        aria-label={local ? `Time zone: local (${zone}). Show times in UTC` : "Time zone: UTC. Show times in local time"}
        data-testid="zone-toggle"
        className="rounded border border-slate-300 px-2 py-0.5 font-mono text-xs text-slate-700 hover:bg-slate-100"
      >
        {local ? "Local" : "UTC"}
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-800">
          {error}
        </span>
      )}
    </span>
  );
}
