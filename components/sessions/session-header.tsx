import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import type { SessionDetail } from "@/lib/sessions/queries";
import { TimeAgo } from "@/components/forms/time-ago";
import { Initiator, LabelChips, RiskBadge, SessionStatus } from "./badges";

export function SessionHeader({ s, tab }: { s: SessionDetail; tab: "timeline" | "graph" | "audit" }) {
  const base = `/sessions/${encodeURIComponent(s.id)}`;
  const tabClass = (on: boolean) =>
    `rounded-t border-b-2 px-3 py-1.5 text-sm font-medium ${on ? "border-indigo-700 text-indigo-900" : "border-transparent text-slate-700 hover:text-slate-900"}`;
  return (
    <header className="space-y-2">
      <p className="text-sm">
        <Link href="/sessions" className="text-indigo-800 underline">
          Sessions
        </Link>{" "}
        /
      </p>
      <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold">
        <span className="font-mono text-lg">{s.id}</span> <SessionStatus status={s.status} />
        <span className="text-sm font-normal text-slate-700">
          risk <RiskBadge risk={s.risk} />
        </span>
      </h1>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
        <div>
          <dt className="text-slate-600">Agent</dt>
          <dd>
            {s.agentName}
            {s.agentSuspended ? <span className="ml-1 text-xs text-red-800">(suspended)</span> : null}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Initiator</dt>
          <dd>
            <Initiator initiator={s.initiator} verified={s.initiatorVerified} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Steps</dt>
          <dd className="tabular-nums">
            {s.stepCount} · <span className="text-red-800">{s.denyCount} denied</span> · <span className="text-amber-800">{s.approvalCount} approvals</span>
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Active</dt>
          <dd>
            <TimeAgo at={s.startedAt} /> → <TimeAgo at={s.lastActivityAt} />
          </dd>
        </div>
        <div className="col-span-2 md:col-span-4">
          <dt className="sr-only">Data labels</dt>
          <dd>
            <span className="mr-1 text-slate-600">Data labels now:</span>
            <LabelChips labels={s.labels} />
          </dd>
        </div>
      </dl>
      {s.status === "terminated" && (
        <p className="rounded bg-slate-100 px-3 py-2 text-sm text-slate-800">
          Terminated <Timestamp at={s.terminatedAt} empty="(time unknown)" /> by {s.terminatedBy}: {s.terminatedReason}
        </p>
      )}
      <nav aria-label="Session views" className="flex gap-1 border-b border-slate-200">
        <Link href={base} className={tabClass(tab === "timeline")} aria-current={tab === "timeline" ? "page" : undefined}>
          Timeline
        </Link>
        <Link href={`${base}/graph`} className={tabClass(tab === "graph")} aria-current={tab === "graph" ? "page" : undefined}>
          Delegation graph
        </Link>
        <Link href={`${base}/audit`} className={tabClass(tab === "audit")} aria-current={tab === "audit" ? "page" : undefined}>
          Audit entries
        </Link>
      </nav>
    </header>
  );
}
