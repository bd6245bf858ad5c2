"use client";

/**
 * The session timeline, virtualised: only the rows in view are rendered, and steps are fetched in
 * windows of 200 as they come into view (a 10,000-step session stays smooth and never loads whole).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { callApi } from "@/components/api/call-api";
import { StepRow } from "./step-row";

const WINDOW = 200;

export function Timeline({ sessionId, stepCount, initial }: { sessionId: string; stepCount: number; initial: TimelineStep[] }) {
  const [steps, setSteps] = useState(() => new Map(initial.map((s) => [s.step, s])));
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const requested = useRef(new Set<number>(initial.length ? [0] : []));
  const parentRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: stepCount, getScrollElement: () => parentRef.current, estimateSize: () => 64, overscan: 12 });
  const items = v.getVirtualItems();

  const load = useCallback(
    async (windowIndex: number) => {
      if (requested.current.has(windowIndex)) return;
      requested.current.add(windowIndex);
      const r = await callApi<{ steps: TimelineStep[] }>(
        "GET",
        `/api/console/sessions/${encodeURIComponent(sessionId)}/steps?after=${windowIndex * WINDOW}&limit=${WINDOW}`,
      );
      if (!r.ok) {
        requested.current.delete(windowIndex);
        setError(`Steps ${windowIndex * WINDOW + 1}–${(windowIndex + 1) * WINDOW} could not be loaded: ${r.error}`);
        return;
      }
      setError(null);
      setSteps((prev) => {
        const next = new Map(prev);
        for (const s of r.data.steps) next.set(s.step, s);
        return next;
      });
    },
    [sessionId],
  );

  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    for (let w = Math.floor(first / WINDOW); w <= Math.floor(last / WINDOW); w++) void load(w);
  }, [first, last, load]);

  const [jump, setJump] = useState("");
  const toggle = (step: number) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(step)) n.delete(step);
      else n.add(step);
      return n;
    });

  if (stepCount === 0) {
    return (
      <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700">
        This session has no steps yet. Steps appear as the agent calls tools through the gateway.
      </p>
    );
  }
  return (
    <div className="rounded border border-slate-200 bg-white">
      <form
        className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Math.min(stepCount, Math.max(1, Number(jump) || 1));
          v.scrollToIndex(n - 1, { align: "start" });
        }}
      >
        <span className="text-slate-700">{stepCount.toLocaleString("en")} steps</span>
        <label className="ml-auto flex items-center gap-1">
          Go to step
          <input
            value={jump}
            onChange={(e) => setJump(e.target.value)}
            inputMode="numeric"
            className="w-24 rounded border border-slate-400 px-2 py-1"
            aria-label="Step number"
          />
        </label>
        <button type="submit" className="rounded border border-slate-400 px-2 py-1 hover:bg-slate-100">
          Go
        </button>
      </form>
      {error && (
        <p role="alert" className="bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <div ref={parentRef} className="h-[70vh] overflow-auto" data-testid="timeline" tabIndex={0} aria-label="Session timeline (scroll to load more steps)">
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          <div style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((it) => {
              const s = steps.get(it.index + 1);
              return (
                <div key={it.key} data-index={it.index} ref={v.measureElement}>
                  {s ? (
                    <StepRow s={s} open={open.has(s.step)} onToggle={() => toggle(s.step)} />
                  ) : (
                    <div className="h-16 border-b border-slate-100 px-3 py-2 text-xs text-slate-500">#{it.index + 1} loading…</div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
