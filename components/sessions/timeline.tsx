"use client";

/**
 * The session timeline, virtualised: only the rows in view are rendered, and steps are fetched in
 * windows of 200 as they come into view (a 10,000-step session stays smooth and never loads whole).
 * A step opens in the drawer (`?step=N` in the URL; j/k for the next/previous step, loading its window
 * if needed, and the list follows the drawer only as far as it must to keep that step in view).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { callApi } from "@/components/api/call-api";
import { Drawer } from "@/components/drawer/drawer";
import { useDrawerParam } from "@/components/drawer/drawer-url";
import { StepDetails, StepRow } from "./step-row";

const WINDOW = 200;

export function Timeline({ sessionId, stepCount, initial }: { sessionId: string; stepCount: number; initial: TimelineStep[] }) {
  const [steps, setSteps] = useState(() => new Map(initial.map((s) => [s.step, s])));
  const [error, setError] = useState<string | null>(null);
  const requested = useRef(new Set<number>(initial.some((x) => x.step <= WINDOW) ? [0] : []));
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
  const [stepParam, setStepParam] = useDrawerParam("step");
  const current = stepParam !== null && /^\d{1,9}$/.test(stepParam) && Number(stepParam) >= 1 && Number(stepParam) <= stepCount ? Number(stepParam) : null;
  // The step in the drawer is loaded (its window) and kept in view, without moving the list when it already is.
  useEffect(() => {
    if (current === null) return;
    void load(Math.floor((current - 1) / WINDOW));
    v.scrollToIndex(current - 1, { align: "auto" });
  }, [current, load, v]);

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
                    <StepRow s={s} selected={current === s.step} onOpen={() => setStepParam(String(s.step), current === null ? "push" : "replace")} />
                  ) : (
                    <div className="h-16 border-b border-slate-100 px-3 py-2 text-xs text-slate-500">#{it.index + 1} loading…</div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {stepParam !== null && (
        <StepDrawer
          sessionId={sessionId}
          step={current}
          param={stepParam}
          s={current === null ? undefined : steps.get(current)}
          stepCount={stepCount}
          go={(n) => setStepParam(n === null ? null : String(n))}
        />
      )}
    </div>
  );
}

function StepDrawer({
  sessionId,
  step,
  param,
  s,
  stepCount,
  go,
}: {
  sessionId: string;
  step: number | null;
  param: string;
  s: TimelineStep | undefined;
  stepCount: number;
  go: (n: number | null) => void;
}) {
  const close = () => go(null);
  if (step === null) {
    return (
      <Drawer title={`Step ${param}`} json={null} onClose={close} onPrev={null} onNext={null}>
        <p role="alert" className="rounded bg-amber-50 px-3 py-2 text-amber-900">
          This session has no step {param}: its steps are 1 to {stepCount.toLocaleString("en")}.
        </p>
      </Drawer>
    );
  }
  return (
    <Drawer
      title={s ? `Step ${step}: ${s.tool}` : `Step ${step}`}
      json={s ?? null}
      position={`${step.toLocaleString("en")} of ${stepCount.toLocaleString("en")}`}
      onClose={close}
      onPrev={step > 1 ? () => go(step - 1) : null}
      onNext={step < stepCount ? () => go(step + 1) : null}
    >
      {s ? <StepDetails s={s} sessionId={sessionId} /> : <p className="text-slate-600">Loading step {step}…</p>}
    </Drawer>
  );
}
