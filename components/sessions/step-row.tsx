"use client";

import Link from "next/link";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { MethodChip } from "@/components/shell/method-chip";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { Timestamp } from "@/components/time/timestamp";
import { LabelChips } from "./badges";

const ms = (us: number | null) => (us === null ? "—" : us < 1000 ? `${us} µs` : `${(us / 1000).toFixed(1)} ms`);

/** One step of the timeline: a summary line; its number opens the full record in the drawer (timeline.tsx). */
export function StepRow({ s, selected, onOpen }: { s: TimelineStep; selected: boolean; onOpen: () => void }) {
  const reason = s.reasons[0];
  const tint = s.outcome === "deny" ? "bg-red-50/40" : s.outcome === "require_approval" ? "bg-amber-50/50" : "";
  const ring = selected ? "outline outline-2 -outline-offset-2 outline-indigo-500" : "";
  return (
    <div className={`border-b border-slate-100 px-3 py-2 text-sm ${ring} ${tint}`} data-testid="timeline-step" data-step={s.step}>
      <div className="grid grid-cols-[4rem_15rem_1fr_auto] items-start gap-x-3 gap-y-1">
        <button
          type="button"
          onClick={onOpen}
          aria-current={selected ? "true" : undefined}
          className="text-left font-mono text-xs text-indigo-800 underline"
          aria-label={`Step ${s.step}: open details`}
        >
          #{s.step} ▸
        </button>
        <Timestamp at={s.at} className="text-slate-600" />
        <div className="min-w-0">
          <MethodChip method={s.method} /> <span className="font-mono text-xs">{s.serverLevel ? `server ${s.target}` : s.target}</span>{" "}
          <span className="text-xs text-slate-600">by {s.agent}</span>
          {reason && (
            <p className="truncate text-xs text-slate-700" title={reason.message}>
              <span className="font-medium">{reason.policy}</span>: {reason.message}
            </p>
          )}
        </div>
        <div className="flex flex-wrap items-center justify-end gap-2 text-xs">
          <OutcomeBadge outcome={s.outcome} />
          {s.result && (
            <span className={s.result.status === "success" ? "text-emerald-800" : "text-red-800"}>
              {s.result.status}
              {s.result.durationMs !== null ? ` · ${s.result.durationMs} ms` : ""}
            </span>
          )}
          <span className="text-slate-600" title="decision latency">
            {ms(s.latencyUs)}
          </span>
        </div>
        <div className="col-span-4 pl-[4.75rem]">
          <span className="mr-1 text-xs text-slate-600">labels after:</span>
          <LabelChips labels={s.labelsAfter} added={s.labelsAdded} />
        </div>
      </div>
    </div>
  );
}

/** A step's full record, as the drawer shows it. */
export function StepDetails({ s, sessionId }: { s: TimelineStep; sessionId: string }) {
  return (
    <dl
      data-testid="step-details"
      data-step={s.step}
      className="grid grid-cols-1 gap-x-4 gap-y-2 rounded border border-slate-200 bg-white p-3 text-xs md:grid-cols-[10rem_1fr]"
    >
      <dt className="font-medium text-slate-700">Method</dt>
      <dd className="flex flex-wrap items-center gap-2">
        <MethodChip method={s.method} />
        <span className="font-mono">{s.serverLevel ? `on server ${s.target}` : s.target}</span>
        {s.target !== s.tool && <span className="text-slate-600">(inventory entry {s.tool})</span>}
      </dd>
      <dt className="font-medium text-slate-700">Arguments (as stored, redacted)</dt>
      <dd>
        <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono">{JSON.stringify(s.arguments, null, 2)}</pre>
      </dd>
      {Array.isArray(s.redactions) && s.redactions.length > 0 && (
        <>
          <dt className="font-medium text-slate-700">Redactions</dt>
          <dd className="font-mono">{JSON.stringify(s.redactions)}</dd>
        </>
      )}
      <dt className="font-medium text-slate-700">Reasons</dt>
      <dd>
        <ul className="list-disc pl-4">
          {s.reasons.map((r, i) => (
            <li key={i}>
              <span className="font-medium">{r.policy}</span>: {r.message}
            </li>
          ))}
          {s.errors.map((r, i) => (
            <li key={`e${i}`} className="text-red-800">
              error in {r.policy}: {r.message}
            </li>
          ))}
          {!s.reasons.length && <li>none recorded</li>}
        </ul>
      </dd>
      <dt className="font-medium text-slate-700">Policy version</dt>
      <dd>
        {s.policyVersion ?? "—"}
        {s.shadow ? ` · shadow ${s.shadow.version} would have said ${s.shadow.decision}` : ""}
      </dd>
      <dt className="font-medium text-slate-700">Labels before → after</dt>
      <dd className="flex flex-wrap items-center gap-2">
        <LabelChips labels={s.labelsBefore} /> → <LabelChips labels={s.labelsAfter} added={s.labelsAdded} />{" "}
        <span className="text-slate-600">
          ({s.serverLevel ? "the server's items declare" : "declared by the tool"}: {s.toolLabels.join(", ") || "none"}
          {s.labelsObserved.length > 0 && <>; observed in its result: {s.labelsObserved.join(", ")}</>}; risk {s.toolRisk ?? "?"}, effect {s.toolEffect ?? "?"})
        </span>
      </dd>
      <dt className="font-medium text-slate-700">Authority</dt>
      <dd>
        {s.delegation
          ? `on behalf of ${s.delegation.onBehalfOf ?? "?"} via ${s.delegation.chain.map((c) => c.name ?? "?").join(" → ")} ` +
            `(depth ${s.delegation.depth}; scopes ${s.delegation.scopes.join(" ") || "none"})`
          : "the agent's own key (no delegation)"}
      </dd>
      {s.approval && (
        <>
          <dt className="font-medium text-slate-700">Approval</dt>
          <dd>
            <Link className="text-indigo-800 underline" href={`/approvals/${s.approval.id}`}>
              {s.approval.id.slice(0, 8)}…
            </Link>{" "}
            ({s.approval.status})
          </dd>
        </>
      )}
      <dt className="font-medium text-slate-700">Outcome event</dt>
      <dd>
        {s.result ? (
          <>
            {s.result.status} at <Timestamp at={s.result.at} />
            {`${s.result.durationMs !== null ? `, ${s.result.durationMs} ms` : ""}${s.result.error ? ` — ${s.result.error}` : ""}`}
          </>
        ) : s.outcome === "allow" ? (
          "not reported (yet) by the gateway"
        ) : (
          "none: the call was not forwarded"
        )}
      </dd>
      {s.events.map((e, i) => (
        <div key={i} className="contents">
          <dt className="font-medium text-slate-700">{e.kind}</dt>
          <dd>
            {e.action} by {e.actor} at <Timestamp at={e.at} />
            {e.note ? ` — “${e.note}”` : ""}
          </dd>
        </div>
      ))}
      <dt className="font-medium text-slate-700">Audit entry</dt>
      <dd>
        <Link className="text-indigo-800 underline" href={`/sessions/${encodeURIComponent(sessionId)}/audit?entry=${s.chainId}:${s.seq}`}>
          #{s.seq} of chain {s.chainId.slice(0, 8)}…
        </Link>{" "}
        · decision {s.decisionId}
      </dd>
      {s.traceId && (
        <>
          <dt className="font-medium text-slate-700">Trace</dt>
          <dd className="font-mono" data-testid="step-trace">
            trace {s.traceId}
          </dd>
        </>
      )}
    </dl>
  );
}
