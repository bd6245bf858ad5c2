"use client";

import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import { useState } from "react";
import { callApi } from "@/components/api/call-api";
import { ErrorMessage, secondaryButtonClass } from "@/components/forms/fields";
import type { ReplayReport } from "@/lib/policy/replay";
import type { GroupBy, ReplayFilter, ReplayItem } from "@/lib/policy/replay-results";
import { downloadPost, POLICIES } from "./policy-api";

const sessionHref = (i: ReplayItem) => `/sessions/${encodeURIComponent(i.sessionId)}#step-${i.step}`;
const GROUPS: Array<[GroupBy, string]> = [
  ["agent", "Agent"],
  ["tool", "Tool"],
  ["policy", "Policy"],
  ["direction", "Direction"],
];
export const PAGE_SIZE = 200;

/** The replay a page, a group or an export is read from: the same text and window (its end pinned). */
export interface ReplayRun {
  text: string;
  days: number;
  report: ReplayReport;
}

export function ReplayItems({ items, label }: { items: ReplayItem[]; label: string }) {
  return (
    <table className="min-w-full text-sm" aria-label={label}>
      <thead className="bg-slate-50 text-left text-slate-700">
        <tr>
          <th className="px-2 py-1 font-medium">When</th>
          <th className="px-2 py-1 font-medium">Agent</th>
          <th className="px-2 py-1 font-medium">Tool</th>
          <th className="px-2 py-1 font-medium">Recorded → draft</th>
          <th className="px-2 py-1 font-medium">Policy</th>
          <th className="px-2 py-1 font-medium">Draft&apos;s reason</th>
          <th className="px-2 py-1 font-medium">Session</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.decisionId} className="border-t border-slate-100" data-testid="replay-change" data-transition={`${c.from}→${c.to}`}>
            <td className="whitespace-nowrap px-2 py-1">
              <Timestamp at={c.at} />
            </td>
            <td className="px-2 py-1">{c.agent}</td>
            <td className="px-2 py-1 font-mono text-xs">{c.tool}</td>
            <td className="px-2 py-1 font-medium">
              {c.from} → {c.to}
            </td>
            <td className="px-2 py-1 font-mono text-xs">{c.policy}</td>
            <td className="px-2 py-1 text-slate-700">{c.reasons.map((r) => r.message).join("; ")}</td>
            <td className="px-2 py-1">
              <Link className="font-mono text-xs text-indigo-700 underline" href={sessionHref(c)}>
                {c.sessionId.slice(0, 18)} · step {c.step}
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The changes of a replay: grouped (counts over every change), one group or all of them page by page, and exported. */
export function ReplayChanges({ run }: { run: ReplayRun }) {
  const base = run.report;
  const [by, setBy] = useState<GroupBy | "">("");
  const [page, setPage] = useState<ReplayReport>(base);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const scope = { text: run.text, days: run.days, to: base.to, max_decisions: base.bounds.maxDecisions };

  async function show(filter: ReplayFilter | null, offset: number) {
    setLoading(true);
    const r = await callApi<ReplayReport>("POST", `${POLICIES}/replay`, { ...scope, offset, limit: PAGE_SIZE, ...(filter ? { filter } : {}) });
    setLoading(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    setPage(r.data);
  }
  async function exportAs(format: "csv" | "ndjson") {
    setError(await downloadPost(`${POLICIES}/replay/export`, { ...scope, format }, `replay.${format}`));
  }

  const { offset, matched, filter } = page.page;
  const last = Math.min(offset + page.changes.length, matched);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <label className="font-medium">
          Group changes by{" "}
          <select value={by} onChange={(e) => setBy(e.target.value as GroupBy | "")} className="rounded border border-slate-400 bg-white px-2 py-1">
            <option value="">(no grouping)</option>
            {GROUPS.map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={secondaryButtonClass} onClick={() => void exportAs("csv")}>
          Export CSV
        </button>
        <button type="button" className={secondaryButtonClass} onClick={() => void exportAs("ndjson")}>
          Export NDJSON
        </button>
        <span className="text-xs text-slate-600">Exports hold every change of this replay, not only the page shown.</span>
      </div>
      {by && (
        <table className="text-sm" aria-label={`Changes by ${by}`}>
          <thead className="text-left text-slate-700">
            <tr>
              <th className="px-2 py-1 font-medium">{GROUPS.find(([k]) => k === by)?.[1]}</th>
              <th className="px-2 py-1 text-right font-medium">Changes</th>
              <th className="px-2 py-1" />
            </tr>
          </thead>
          <tbody>
            {base.groups[by].groups.map((g) => (
              <tr key={g.value} className="border-t border-slate-100" data-testid="replay-group" data-group={g.value}>
                <td className="px-2 py-1 font-mono text-xs">{g.value || "(none)"}</td>
                <td className="px-2 py-1 text-right tabular-nums" data-testid="replay-group-count">
                  {g.count.toLocaleString("en")}
                </td>
                <td className="px-2 py-1">
                  <button type="button" className="text-indigo-700 underline" onClick={() => void show({ by, value: g.value }, 0)}>
                    Show {g.value || "(none)"}
                  </button>
                </td>
              </tr>
            ))}
            {base.groups[by].more > 0 && (
              <tr>
                <td colSpan={3} className="px-2 py-1 text-xs text-slate-600">
                  and {base.groups[by].more} smaller groups (in the export)
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <div className="flex flex-wrap items-center gap-2 text-sm" aria-label="Pages of changes" role="group">
        <span data-testid="replay-range">
          {matched === 0 ? "No changes" : `Changes ${(offset + 1).toLocaleString("en")}–${last.toLocaleString("en")} of ${matched.toLocaleString("en")}`}
          {filter && (
            <>
              {" "}
              with {filter.by} <span className="font-mono text-xs">{filter.value || "(none)"}</span>
            </>
          )}
        </span>
        {filter && (
          <button type="button" className="text-indigo-700 underline" onClick={() => void show(null, 0)}>
            All changes
          </button>
        )}
        <button
          type="button"
          className={secondaryButtonClass}
          disabled={loading || offset === 0}
          onClick={() => void show(filter, Math.max(0, offset - PAGE_SIZE))}
        >
          Previous
        </button>
        <button type="button" className={secondaryButtonClass} disabled={loading || last >= matched} onClick={() => void show(filter, offset + PAGE_SIZE)}>
          Next
        </button>
        {loading && <span role="status">Loading…</span>}
      </div>
      <ErrorMessage error={error} />
      {page.changes.length > 0 && (
        <div className="overflow-x-auto rounded border border-slate-200 bg-white">
          <ReplayItems items={page.changes} label="Decisions that would change" />
        </div>
      )}
    </div>
  );
}
