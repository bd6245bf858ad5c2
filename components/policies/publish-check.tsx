"use client";

import { useRef, useState } from "react";
import { callApi } from "@/components/api/call-api";
import { ErrorMessage } from "@/components/forms/fields";
import { Timestamp } from "@/components/time/timestamp";
import type { ReplayReport } from "@/lib/policy/replay";
import type { PolicyTestResult } from "@/lib/policy/tests";
import { policyError, POLICIES } from "./policy-api";
import { boundOf } from "./replay-panel";

/** The 24 h impact replay is bounded so that the dialog answers on any history (the bound is said when hit). */
export const IMPACT_MAX_DECISIONS = 200_000;
export const IMPACT_MAX_SECONDS = 20;
const OUTCOMES = ["allow", "deny", "require_approval"] as const;
const DIRECTIONS = OUTCOMES.flatMap((a) => OUTCOMES.filter((b) => b !== a).map((b) => `${a}→${b}`));

type Loading<T> = { state: "loading" } | { state: "done"; data: T } | { state: "error"; error: string };
export interface PublishCheckState {
  tests: Loading<{ tests: PolicyTestResult[]; failing: string[] }>;
  impact: Loading<ReplayReport>;
}

/** Runs the stored tests and the 24 h impact replay of a text when `start` is called; answers of an earlier start are dropped. */
export function usePublishCheck(): [PublishCheckState | null, (text: string, tests: unknown) => void] {
  const [check, setCheck] = useState<PublishCheckState | null>(null);
  const run = useRef(0);
  const start = (text: string, tests: unknown) => {
    const id = ++run.current;
    setCheck({ tests: { state: "loading" }, impact: { state: "loading" } });
    const set = (patch: Partial<PublishCheckState>) => {
      if (run.current === id) setCheck((c) => (c ? { ...c, ...patch } : c));
    };
    void callApi<{ tests: PolicyTestResult[]; failing: string[] }>("POST", `${POLICIES}/publish-check`, { text, tests }).then((r) =>
      set({ tests: r.ok ? { state: "done", data: r.data } : { state: "error", error: policyError(r) } }),
    );
    const body = { text, days: 1, max_decisions: IMPACT_MAX_DECISIONS, max_seconds: IMPACT_MAX_SECONDS, limit: 0 };
    void callApi<ReplayReport>("POST", `${POLICIES}/replay`, body).then((r) =>
      set({ impact: r.ok ? { state: "done", data: r.data } : { state: "error", error: r.error } }),
    );
  };
  return [check, start];
}

export function TestsStatus({ tests }: { tests: PublishCheckState["tests"] }) {
  if (tests.state === "loading") return <p role="status">Running the stored test cases…</p>;
  if (tests.state === "error") return <ErrorMessage error={`The stored test cases could not run: ${tests.error}`} />;
  const { tests: results, failing } = tests.data;
  if (results.length === 0) return <p data-testid="publish-tests-summary">No stored test cases: nothing guards this publish.</p>;
  return (
    <div className="space-y-1" aria-label="Stored test cases" role="group">
      <p className="font-medium" data-testid="publish-tests-summary">
        Stored test cases: {results.length - failing.length} pass, {failing.length} fail
        {failing.length > 0 && " — publishing needs an override note, audited with the failing cases."}
      </p>
      <ul className="max-h-40 space-y-0.5 overflow-auto">
        {results.map((t) => (
          <li key={t.name} data-testid="publish-test" data-pass={t.pass} className={t.pass ? "text-slate-700" : "font-medium text-red-900"}>
            <span aria-hidden>{t.pass ? "✓ " : "✗ "}</span>
            <span className="sr-only">{t.pass ? "passes: " : "fails: "}</span>
            {t.name}
            {!t.pass && ` — expected ${t.expect}, got ${t.actual}${t.reasons.length ? ` (${t.reasons.map((r) => r.policy).join(", ")})` : ""}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ImpactSummary({ impact }: { impact: PublishCheckState["impact"] }) {
  if (impact.state === "loading") return <p role="status">Replaying the last 24 h of decisions through this version…</p>;
  if (impact.state === "error") return <ErrorMessage error={`The 24 h replay failed: ${impact.error}`} />;
  const r = impact.data;
  const n = (x: number) => x.toLocaleString("en");
  return (
    <div className="space-y-1" data-testid="publish-impact">
      <p>
        <span className="font-medium">Last 24 h:</span> <span data-testid="impact-total">{n(r.total)}</span> recorded decisions replayed;{" "}
        <strong data-testid="impact-changed">{n(r.changed)}</strong> would change, {n(r.undeterminable)} undeterminable, {n(r.builtIn)} decided before policy.
      </p>
      <ul className="flex flex-wrap gap-1.5" aria-label="Changes by direction">
        {DIRECTIONS.map((d) => (
          <li
            key={d}
            data-testid="impact-direction"
            data-direction={d}
            className={`rounded px-2 py-0.5 ${r.transitions[d] ? "bg-amber-100 font-medium text-amber-950" : "bg-slate-100 text-slate-600"}`}
          >
            {d}: {n(r.transitions[d] ?? 0)}
          </li>
        ))}
      </ul>
      {r.truncated && (
        <p data-testid="impact-bound" className="text-amber-900">
          Stopped at the bound of {boundOf(r)}: the counts cover the decisions before <Timestamp at={r.coveredTo} />, not the whole 24 h. Run the full replay
          under What-if replay.
        </p>
      )}
    </div>
  );
}
