"use client";

import Link from "next/link";
import type { PendingApprovalItem } from "@/lib/sessions/queries-approvals";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { LabelChips } from "@/components/sessions/badges";
import { Countdown } from "./countdown";
import { DecideForm } from "./decide-form";

/** A pending approval with what it would let through and what came before it in the session. */
export function ApprovalCard({
  a,
  canDecide,
  skewMs,
  selected = false,
  onDecided,
}: {
  a: PendingApprovalItem;
  canDecide: boolean;
  skewMs: number;
  selected?: boolean;
  onDecided: (id: string, decision: "approve" | "deny", message: string) => void;
}) {
  return (
    <article
      className="h-full rounded border border-amber-300 bg-white p-4"
      data-testid="pending-approval"
      data-approval-id={a.id}
      data-selected={selected ? "true" : undefined}
      aria-labelledby={`ap-${a.id}`}
    >
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={`ap-${a.id}`} className="font-semibold">
          <span className="font-mono">{a.tool}</span> <span className="font-normal text-slate-700">by {a.agent}</span>
        </h3>
        <Countdown expiresAt={a.expiresAt} skewMs={skewMs} />
      </header>
      <p className="text-sm text-slate-700">
        Session{" "}
        <Link className="font-mono text-indigo-800 underline" href={`/sessions/${encodeURIComponent(a.sessionId)}`}>
          {a.sessionId}
        </Link>
        , step {a.step}
        {a.initiator ? ` · on behalf of ${a.initiator}` : ""}
        {a.delegationChain.length ? ` · via ${a.delegationChain.join(" → ")}` : ""}
      </p>
      <ul className="mt-1 text-sm">
        {a.reasons.map((r, i) => (
          <li key={i}>
            <span className="font-medium">{r.policy}</span>: {r.message}
          </li>
        ))}
      </ul>
      <details className="mt-2 text-sm" open>
        <summary className="cursor-pointer font-medium">Arguments (redacted)</summary>
        <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-xs">
          {JSON.stringify(a.arguments, null, 2)}
        </pre>
      </details>
      <div className="mt-2 text-sm">
        <p className="font-medium">Before this step</p>
        <p className="text-xs text-slate-700">
          Session data labels: <LabelChips labels={a.labelsBefore} />
        </p>
        {a.context.length ? (
          <ol className="mt-1 space-y-0.5 text-xs">
            {a.context.map((c) => (
              <li key={c.step} className="flex items-center gap-2">
                <span className="w-10 font-mono text-slate-600">#{c.step}</span>
                <span className="font-mono">{c.tool}</span>
                <OutcomeBadge outcome={c.outcome} />
                {c.policy && <span className="text-slate-600">{c.policy}</span>}
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-xs text-slate-700">This is the session&apos;s first step.</p>
        )}
      </div>
      <div className="mt-3 border-t border-slate-100 pt-3">
        {canDecide ? (
          <DecideForm id={a.id} onDone={(m, d) => onDecided(a.id, d, m)} />
        ) : (
          <p className="text-sm text-slate-700">Deciding approvals needs the analyst or admin role.</p>
        )}
      </div>
    </article>
  );
}
