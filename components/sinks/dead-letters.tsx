import { TimeAgo } from "@/components/forms/time-ago";
import type { DeadLetterView } from "@/lib/sinks/sinks";
import { RetryDeadLetterButton } from "./sink-actions";

/**
 * One sink's dead letters: entries its receiver refused for good (the cursor moved past them), newest
 * first. An admin can send one again (audited as sink.retry): delivered, it leaves the list.
 */
export function DeadLetters({ sink, letters, total, admin }: { sink: string; letters: DeadLetterView[]; total: number; admin: boolean }) {
  return (
    <section id={`dead-letters-${sink}`} aria-labelledby={`dl-${sink}-h`} className="space-y-2">
      <h3 id={`dl-${sink}-h`} className="text-sm font-semibold">
        {sink}: {total} dead letter{total === 1 ? "" : "s"}
        {total > letters.length ? ` (the newest ${letters.length} shown)` : ""}
      </h3>
      <div className="overflow-x-auto rounded border border-slate-200 bg-white">
        <table className="min-w-full text-sm" data-testid={`dead-letters-${sink}`}>
          <caption className="sr-only">Dead letters of {sink}</caption>
          <thead className="bg-slate-50 text-left text-slate-700">
            <tr>
              <th className="px-3 py-2 font-medium">Entry (event id)</th>
              <th className="px-3 py-2 font-medium">Error</th>
              <th className="px-3 py-2 font-medium">Attempts</th>
              <th className="px-3 py-2 font-medium">First attempt</th>
              <th className="px-3 py-2 font-medium">Last attempt</th>
              {admin && <th className="px-3 py-2 font-medium">Action</th>}
            </tr>
          </thead>
          <tbody>
            {letters.map((d) => (
              <tr key={d.event_id} className="border-t border-slate-100 align-top">
                <td className="px-3 py-2 font-mono text-xs">
                  <span title={d.event_id}>
                    {d.chain_id.slice(0, 8)}…:{d.seq}
                  </span>
                </td>
                <td className="px-3 py-2 text-red-800">{d.error}</td>
                <td className="px-3 py-2 tabular-nums">{d.attempts}</td>
                <td className="px-3 py-2">
                  <TimeAgo at={d.first_attempt_at} />
                </td>
                <td className="px-3 py-2">
                  <TimeAgo at={d.last_attempt_at} />
                </td>
                {admin && (
                  <td className="px-3 py-2">
                    <RetryDeadLetterButton sink={sink} chainId={d.chain_id} seq={d.seq} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
