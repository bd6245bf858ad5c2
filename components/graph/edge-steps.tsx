"use client";

import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { GraphEdge } from "@/lib/analytics/delegation-graph";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { callApi } from "@/components/api/call-api";

/** The steps behind one call edge of the graph (the first 200; the audit explorer has them all). */
export function EdgeSteps({ sessionId, edge }: { sessionId: string; edge: GraphEdge }) {
  const s = edge.steps!;
  const [state, setState] = useState<{ steps: TimelineStep[] } | { error: string } | null>(null);
  useEffect(() => {
    const q = new URLSearchParams({ after: "0", limit: "200", tool: s.tool, outcome: s.outcome, ...(s.agentId ? { agent: s.agentId } : {}) });
    void callApi<{ steps: TimelineStep[] }>("GET", `/api/console/sessions/${encodeURIComponent(sessionId)}/steps?${q}`).then((r) =>
      setState(r.ok ? { steps: r.data.steps } : { error: r.error }),
    );
  }, [sessionId, s.tool, s.outcome, s.agentId]);
  return (
    <section className="rounded border border-slate-200 bg-white p-4 text-sm" data-testid="edge-steps">
      <h2 className="font-semibold">
        {s.tool}: {edge.label}
      </h2>
      <p className="text-xs text-slate-600">
        by {s.agent} · steps {s.firstStep === s.lastStep ? s.firstStep : `${s.firstStep}–${s.lastStep}`}
      </p>
      {state === null && (
        <p role="status" className="mt-2 text-slate-700">
          Loading steps…
        </p>
      )}
      {state && "error" in state && (
        <p role="alert" className="mt-2 text-red-800">
          The steps could not be loaded: {state.error}
        </p>
      )}
      {state && "steps" in state && (
        <ol className="mt-2 max-h-[55vh] space-y-1 overflow-auto">
          {state.steps.map((st) => (
            <li key={st.step} className="flex items-start gap-2 border-b border-slate-100 pb-1">
              <Link className="font-mono text-xs text-indigo-800 underline" href={`/audit?entry=${st.chainId}:${st.seq}`}>
                #{st.step}
              </Link>
              <OutcomeBadge outcome={st.outcome} />
              <span className="text-xs text-slate-700">
                <Timestamp at={st.at} /> · {st.reasons[0]?.policy ?? ""}
                {st.result ? ` · ${st.result.status}` : ""}
              </span>
            </li>
          ))}
          {s.count > state.steps.length && (
            <li className="text-xs text-slate-600">
              …and {s.count - state.steps.length} more in the{" "}
              <Link
                className="underline"
                href={`/audit?session=${encodeURIComponent(sessionId)}&tool=${encodeURIComponent(s.tool)}&outcome=${s.outcome}&kind=decision`}
              >
                audit explorer
              </Link>
              .
            </li>
          )}
        </ol>
      )}
    </section>
  );
}
