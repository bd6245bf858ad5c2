"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { Timestamp } from "@/components/time/timestamp";
import { buttonClass, ErrorMessage, inputClass, secondaryButtonClass } from "@/components/forms/fields";
import type { ReplayReport } from "@/lib/policy/replay";
import { POLICIES } from "./policy-api";
import { PAGE_SIZE, ReplayChanges, ReplayItems, type ReplayRun } from "./replay-changes";

export const boundOf = (r: ReplayReport) => (r.stoppedBy === "time" ? `${r.bounds.maxSeconds} s` : `${r.bounds.maxDecisions.toLocaleString("en")} decisions`);
const WHY: Record<string, string> = { "session.toolsUsed": "tools used before the replayed window", "session.ageSeconds": "session start unknown" };

export function ReplayPanel({ text, retentionDays, isAdmin }: { text: string; retentionDays: number; isAdmin: boolean }) {
  const router = useRouter();
  const [days, setDays] = useState("7");
  const [run, setRun] = useState<ReplayRun | null>(null);
  const report = run?.report ?? null;
  // The editor's text changed since the replay ran: its results describe another draft.
  const stale = run !== null && run.text !== text;
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [retention, setRetention] = useState(String(retentionDays));
  const [retentionMsg, setRetentionMsg] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        Runs the recorded decisions of the last days through the editor&apos;s text (unsaved changes included) and shows which outcomes would change. Nothing is
        enforced or stored.
      </p>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={async (e) => {
          e.preventDefault();
          setRunning(true);
          const ran = { text, days: Number(days) };
          const r = await callApi<ReplayReport>("POST", `${POLICIES}/replay`, { ...ran, limit: PAGE_SIZE });
          setRunning(false);
          if (!r.ok) return setError(r.error);
          setError(null);
          setRun({ ...ran, report: r.data });
        }}
      >
        <label className="text-sm font-medium">
          Last (days)
          <input type="number" min={1} max={90} value={days} onChange={(e) => setDays(e.target.value)} className={`${inputClass} w-24`} />
        </label>
        <button type="submit" disabled={running} className={buttonClass}>
          {running ? "Replaying…" : "Run replay"}
        </button>
      </form>
      <ErrorMessage error={error} />
      {report && stale && (
        <p role="alert" data-testid="replay-stale" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm font-medium text-amber-950">
          The draft changed since this replay — run again.
        </p>
      )}
      {run && report && (
        <div className={`space-y-3 ${stale ? "opacity-50" : ""}`} data-testid="replay-report" data-stale={stale}>
          <p role="status" className="text-sm">
            <strong data-testid="replay-total">{report.total.toLocaleString("en")}</strong> decisions replayed in{" "}
            <strong data-testid="replay-ms">{report.durationMs.toLocaleString("en")} ms</strong> ({report.distinctRequests.toLocaleString("en")} distinct
            requests evaluated) · <strong data-testid="replay-changed">{report.changed.toLocaleString("en")}</strong> would change ·{" "}
            {report.unchanged.toLocaleString("en")} unchanged · <span data-testid="replay-undeterminable">{report.undeterminable.toLocaleString("en")}</span>{" "}
            undeterminable · {report.builtIn.toLocaleString("en")} decided before policy (unknown, unapproved or blocked tools, suspended agents)
            {report.truncated && (
              <span data-testid="replay-bound">
                {" "}
                · stopped at the bound of {boundOf(report)}: decisions from <Timestamp at={report.coveredTo} /> on are not replayed
              </span>
            )}
          </p>
          {Object.keys(report.transitions).length > 0 && (
            <ul className="flex flex-wrap gap-2 text-sm" aria-label="Changes by kind">
              {Object.entries(report.transitions).map(([k, n]) => (
                <li key={k} data-testid="replay-transition" data-transition={k} className="rounded bg-amber-100 px-2 py-1 font-medium text-amber-950">
                  {k}: {n}
                </li>
              ))}
            </ul>
          )}
          {report.changed > 0 && <ReplayChanges key={report.to} run={run} />}
          {report.undeterminable > 0 && (
            <details className="rounded border border-slate-200 bg-white p-2 text-sm">
              <summary>Why {report.undeterminable} decisions are undeterminable</summary>
              <p className="mt-1 text-slate-700">
                The draft reads values these decisions did not record in full; they are not guessed.{" "}
                {Object.entries(report.undeterminableWhy)
                  .map(([k, n]) => `${WHY[k] ?? `redacted argument ${k.replace("args.", "")}`}: ${n}`)
                  .join(" · ")}
                . {retentionDays === 0 && "Keeping real argument values for a retention period (below) makes redacted decisions replayable."}
              </p>
              <ReplayItems items={report.undeterminableSamples} label="Undeterminable decisions" />
            </details>
          )}
        </div>
      )}
      <div className="rounded border border-slate-200 bg-white p-3 text-sm">
        <p>
          <strong>Real argument values for replay:</strong>{" "}
          {retentionDays > 0
            ? `kept encrypted for ${retentionDays} days for decisions whose stored arguments were redacted.`
            : "not kept: replay reports decisions that depend on redacted arguments as undeterminable."}
        </p>
        {isAdmin && (
          <form
            className="mt-2 flex flex-wrap items-end gap-2"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await callApi<{ days: number; deleted: number }>("POST", `${POLICIES}/replay-retention`, { days: Number(retention) });
              setRetentionMsg(r.ok ? `Retention set to ${r.data.days} days${r.data.deleted ? `; ${r.data.deleted} older values deleted` : ""}.` : r.error);
              if (r.ok) router.refresh();
            }}
          >
            <label className="font-medium">
              Retention (days, 0 = keep none)
              <input type="number" min={0} max={90} value={retention} onChange={(e) => setRetention(e.target.value)} className={`${inputClass} w-24`} />
            </label>
            <button type="submit" className={secondaryButtonClass}>
              Save retention
            </button>
            {retentionMsg && (
              <span role="status" className="text-slate-800">
                {retentionMsg}
              </span>
            )}
          </form>
        )}
      </div>
    </div>
  );
}
