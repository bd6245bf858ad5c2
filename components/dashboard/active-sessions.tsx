import Link from "next/link";
import type { ActiveSession } from "@/lib/analytics/dashboard-queries";
import { sessionsHref } from "@/lib/sessions/queries-filters";
import { TimeAgo } from "@/components/forms/time-ago";

export function ActiveSessions({ count, latest }: { count: number; latest: ActiveSession[] }) {
  return (
    <div>
      <Link
        href={sessionsHref({ status: "active", time: "15m" })}
        className="text-4xl font-semibold tabular-nums text-indigo-800 underline"
        data-testid="active-count"
      >
        {count}
      </Link>
      <span className="ml-2 text-sm text-slate-700">session{count === 1 ? "" : "s"} with a step in the last 15 minutes</span>
      {latest.length > 0 ? (
        <ul className="mt-2 space-y-1 text-sm">
          {latest.map((s) => (
            <li key={s.id} className="min-w-0" data-testid="active-session">
              {/* The id on its own line (cut with an ellipsis if it must be), the details under it: a narrow
                  card never hides the id behind the details or lets the details run past its edge. */}
              <Link className="block truncate font-mono text-xs text-indigo-800 underline" href={`/sessions/${encodeURIComponent(s.id)}`} title={s.id}>
                {s.id}
              </Link>
              <span className="block text-xs text-slate-700">
                {s.agent} · {s.steps} steps · <TimeAgo at={s.lastActivityAt} />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-700">No agent is working right now.</p>
      )}
    </div>
  );
}
