"use client";

/**
 * The approvals queue, kept current without a reload: it polls the console's queue endpoint every
 * 3 seconds (and at once after a decision), so approvals created or decided elsewhere appear and
 * disappear by themselves.
 */
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type { Role } from "@/lib/identity/credential-cache";
import type { DecidedApprovalItem, PendingApprovalItem } from "@/lib/sessions/queries-approvals";
import { SuccessMessage } from "@/components/forms/fields";
import { TimeAgo } from "@/components/forms/time-ago";
import { callApi } from "@/components/api/call-api";
import { ApprovalCard } from "./approval-card";

interface Queue {
  pending: PendingApprovalItem[];
  decided: DecidedApprovalItem[];
  now: string;
}

const POLL_MS = 3000;

export function ApprovalsQueue({ initial, role }: { initial: Queue; role: Role }) {
  const [q, setQ] = useState(initial);
  const [fetchedAt, setFetchedAt] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const skewMs = Date.parse(q.now) - fetchedAt;
  const refresh = useCallback(async () => {
    const r = await callApi<Queue>("GET", "/api/console/approvals");
    if (!r.ok) return setError(`The queue could not be refreshed (${r.error}); showing what was loaded last. Retrying…`);
    setError(null);
    setFetchedAt(Date.now());
    setQ(r.data);
  }, []);
  useEffect(() => {
    const t = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);
  const canDecide = role === "admin" || role === "analyst";

  return (
    <div className="space-y-6">
      <section aria-labelledby="pending-h" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="pending-h" className="text-lg font-semibold">
            Waiting for a decision ({q.pending.length})
          </h2>
          <p className="text-xs text-slate-600" aria-live="polite">
            Updates automatically every {POLL_MS / 1000} s
          </p>
        </div>
        {error && (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
            {error}
          </p>
        )}
        {notice && <SuccessMessage>{notice}</SuccessMessage>}
        {q.pending.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700" data-testid="no-pending">
            Nothing is waiting for you. Calls that a policy marks with <code>@approval</code> (by default, destructive tools) appear here the moment an agent
            makes them; the agent waits until you decide or the approval expires.
          </p>
        ) : (
          <div className="grid gap-3 xl:grid-cols-2">
            {q.pending.map((a) => (
              <ApprovalCard
                key={a.id}
                a={a}
                canDecide={canDecide}
                skewMs={skewMs}
                onDecided={(_, m) => {
                  setNotice(m);
                  void refresh();
                }}
              />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="decided-h">
        <h2 id="decided-h" className="text-lg font-semibold">
          Recently decided
        </h2>
        {q.decided.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">No approval has been decided yet.</p>
        ) : (
          <div className="mt-2 overflow-x-auto rounded border border-slate-200 bg-white">
            <table className="min-w-full text-sm" data-testid="decided-approvals">
              <caption className="sr-only">Recently decided approvals</caption>
              <thead className="bg-slate-50 text-left text-slate-700">
                <tr>
                  {["Tool", "Agent", "Session · step", "Status", "Decided by", "When", "Comment"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {q.decided.map((d) => (
                  <tr key={d.id} className="border-t border-slate-100" data-approval-id={d.id}>
                    <td className="px-3 py-2 font-mono text-xs">
                      <Link className="underline" href={`/approvals/${d.id}`}>
                        {d.tool}
                      </Link>
                    </td>
                    <td className="px-3 py-2">{d.agent}</td>
                    <td className="px-3 py-2 font-mono text-xs">
                      <Link className="underline" href={`/sessions/${encodeURIComponent(d.sessionId)}`}>
                        {d.sessionId}
                      </Link>{" "}
                      · {d.step}
                    </td>
                    <td className="px-3 py-2">{d.status}</td>
                    <td className="px-3 py-2">{d.decidedBy ?? (d.status === "expired" ? "nobody (expired)" : "—")}</td>
                    <td className="px-3 py-2">
                      <TimeAgo at={d.decidedAt ?? d.expiresAt} />
                    </td>
                    <td className="px-3 py-2 text-slate-700">{d.comment ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
