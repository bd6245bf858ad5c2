import Link from "next/link";
import { Timestamp } from "@/components/time/timestamp";
import type { ForeignAttempt } from "@/lib/sessions/foreign-attempts";

/**
 * Other agents' attempts to act in this session: each was denied, and none is a step of it (the
 * step count, labels and deny count above are the owner's). Newest first.
 */
export function ForeignAttempts({ sessionId, attempts, total }: { sessionId: string; attempts: ForeignAttempt[]; total: number }) {
  if (total === 0) return null;
  return (
    <section aria-labelledby="foreign-h" className="rounded border border-red-200 bg-white text-sm" data-testid="foreign-attempts">
      <div className="border-b border-red-100 px-3 py-2">
        <h2 id="foreign-h" className="font-semibold">
          Foreign attempts ({total.toLocaleString("en")})
        </h2>
        <p className="text-xs text-slate-700">
          Requests by agents that do not own this session and had no delegation from its owner. All were denied; they are not steps of the session and changed
          nothing in it.
        </p>
      </div>
      <ol>
        {attempts.map((a) => (
          <li
            key={`${a.chainId}:${a.seq}`}
            className="grid grid-cols-[15rem_1fr_auto] items-start gap-x-3 border-b border-slate-100 px-3 py-2"
            data-testid="foreign-attempt"
          >
            <Timestamp at={a.at} className="text-slate-600" />
            <div className="min-w-0">
              <span className="font-mono text-xs">{a.tool}</span>{" "}
              <span className="text-xs text-slate-600">
                by <span className="font-medium">{a.agent}</span>
              </span>
              {a.delegation && <span className="text-xs text-slate-600"> (chain: {a.delegation.join(" → ")})</span>}
              {a.reasons[0] && (
                <p className="truncate text-xs text-slate-700" title={a.reasons[0].message}>
                  <span className="font-medium">{a.reasons[0].policy}</span>: {a.reasons[0].message}
                </p>
              )}
            </div>
            <Link className="font-mono text-xs text-indigo-800 underline" href={`/audit?entry=${a.chainId}:${a.seq}`}>
              audit entry
            </Link>
          </li>
        ))}
      </ol>
      {total > attempts.length && (
        <p className="px-3 py-2 text-xs text-slate-600">
          …and {(total - attempts.length).toLocaleString("en")} older ones in the{" "}
          <Link className="underline" href={`/audit?session=${encodeURIComponent(sessionId)}&kind=decision&outcome=deny`}>
            audit explorer
          </Link>
          .
        </p>
      )}
    </section>
  );
}
