import { TimeAgo } from "@/components/forms/time-ago";
import type { SinkView } from "@/lib/sinks/sinks";
import { RemoveSinkButton, TestSinkButton } from "./sink-actions";

const KIND = { webhook: "NDJSON webhook", hec: "Splunk HEC", syslog: "syslog", otlp: "OTLP logs" } as const;

/** Seconds as the largest whole unit ("0 s", "42 s", "3 min", "2 h", "5 d"). */
function age(seconds: number): string {
  const s = Math.floor(seconds);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : s < 86_400 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 86_400)} d`;
}

/** A sink's state in a word: failing (an error since the last delivery), behind (entries to send), up to date. */
function stateOf(s: SinkView): { label: string; className: string } {
  if (!s.enabled) return { label: "disabled", className: "bg-slate-100 text-slate-700" };
  if (s.last_error) return { label: "failing", className: "bg-red-100 text-red-900" };
  if (s.lag > 0) return { label: "behind", className: "bg-amber-100 text-amber-900" };
  return { label: "up to date", className: "bg-emerald-100 text-emerald-900" };
}

function Cursors({ s }: { s: SinkView }) {
  const behind = s.cursors.filter((c) => c.last_seq < c.head_seq).length;
  return (
    <details className="mt-1 text-xs">
      <summary className="cursor-pointer text-indigo-700">
        Cursor on {s.cursors.length} chain{s.cursors.length === 1 ? "" : "s"}
        {behind ? ` (${behind} behind)` : ""}
      </summary>
      <table className="mt-1" data-testid={`sink-cursors-${s.name}`}>
        <caption className="sr-only">Cursors of {s.name}</caption>
        <thead>
          <tr className="text-left text-slate-600">
            <th className="pr-3 font-medium">Chain</th>
            <th className="pr-3 font-medium">Node</th>
            <th className="pr-3 font-medium">Acknowledged up to</th>
          </tr>
        </thead>
        <tbody className="font-mono">
          {s.cursors.map((c) => (
            <tr key={c.chain_id}>
              <td className="pr-3" title={c.chain_id}>
                {c.chain_id.slice(0, 8)}
              </td>
              <td className="pr-3">{c.node}</td>
              <td className="pr-3 tabular-nums">
                {c.last_seq} of {c.head_seq}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The sinks with their delivery status (read by admins and analysts; actions for admins only). */
export function SinksTable({ sinks, admin }: { sinks: SinkView[]; admin: boolean }) {
  if (!sinks.length) return <p className="rounded border border-slate-200 bg-white p-4 text-sm text-slate-700">No audit sinks: the audit stays in Mandate.</p>;
  return (
    <div className="overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="sinks">
        <caption className="sr-only">Audit sinks</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th className="px-3 py-2 font-medium">Sink</th>
            <th className="px-3 py-2 font-medium">Target</th>
            <th className="px-3 py-2 font-medium">State</th>
            <th className="px-3 py-2 font-medium">Delivered</th>
            <th className="px-3 py-2 font-medium">Lag</th>
            <th className="px-3 py-2 font-medium">Last error</th>
            <th className="px-3 py-2 font-medium">Dead letters</th>
            {admin && <th className="px-3 py-2 font-medium">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {sinks.map((s) => {
            const state = stateOf(s);
            return (
              <tr key={s.id} className="border-t border-slate-100 align-top" data-sink={s.name}>
                <th scope="row" className="px-3 py-2 text-left font-medium">
                  {s.name}
                  <div className="text-xs font-normal text-slate-600">
                    {KIND[s.kind]} · {s.format.toUpperCase()}
                  </div>
                </th>
                <td className="px-3 py-2">
                  <span className="break-all font-mono text-xs">{s.endpoint}</span>
                  <div className="text-xs text-slate-600">
                    {s.has_token ? "token set" : "no token"}
                    {s.delivering_node ? ` · delivered by ${s.delivering_node}` : ""}
                  </div>
                </td>
                <td className="px-3 py-2">
                  <span data-testid="sink-state" className={`rounded px-2 py-0.5 text-xs font-medium ${state.className}`}>
                    {state.label}
                  </span>
                </td>
                <td className="px-3 py-2">
                  <span data-testid="sink-delivered" className="tabular-nums">
                    {s.delivered}
                  </span>
                  <div className="text-xs text-slate-600">
                    last <TimeAgo at={s.last_delivered_at} />
                  </div>
                </td>
                <td className="px-3 py-2">
                  <span data-testid="sink-lag" className="tabular-nums">
                    {s.lag} {s.lag === 1 ? "entry" : "entries"}
                  </span>
                  <div data-testid="sink-oldest" className="text-xs text-slate-600">
                    {s.oldest_undelivered_at ? `oldest waiting ${age(s.oldest_undelivered_seconds)}` : "nothing waiting"}
                  </div>
                  <Cursors s={s} />
                </td>
                <td className="max-w-xs px-3 py-2" data-testid="sink-error">
                  {s.last_error ? (
                    <>
                      <span className="break-words text-red-800">{s.last_error}</span>
                      <div className="text-xs text-slate-600">
                        <TimeAgo at={s.last_error_at} />
                      </div>
                    </>
                  ) : (
                    <span className="text-slate-500">none</span>
                  )}
                </td>
                <td className="px-3 py-2 tabular-nums" data-testid="sink-dead-letters">
                  {s.dead_letters > 0 ? (
                    <a href={`#dead-letters-${s.name}`} className="text-indigo-700 underline">
                      {s.dead_letters}
                    </a>
                  ) : (
                    0
                  )}
                </td>
                {admin && (
                  <td className="space-y-2 px-3 py-2">
                    <TestSinkButton name={s.name} />
                    <RemoveSinkButton name={s.name} lag={s.lag} deadLetters={s.dead_letters} />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
