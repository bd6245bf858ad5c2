"use client";

/**
 * The session timeline, virtualised: only the rows in view are rendered, and steps are fetched in
 * windows of 200 as they come into view (a 10,000-step session stays smooth and never loads whole).
 * A step opens in the drawer (`?step=N` in the URL; j/k for the next/previous step, loading its window
 * if needed, and the list follows the drawer only as far as it must to keep that step in view).
 * Filter chips (`?show=`) list only denies, approvals, label changes or delegated steps; "Next deny"
 * (key `n`) opens the next denied step (timeline-filter.tsx).
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { callApi } from "@/components/api/call-api";
import { Drawer } from "@/components/drawer/drawer";
import { CreateTestLink } from "@/components/policies/create-test-link";
import { useDrawerParam } from "@/components/drawer/drawer-url";
import { isTimelineShow, type TimelineShow } from "@/lib/sessions/timeline-filter";
import { StepDetails, StepRow } from "./step-row";
import { nextDeny, TimelineFilterBar, useFilteredSteps } from "./timeline-filter";

const WINDOW = 200;

export function Timeline({
  sessionId,
  stepCount,
  initial,
  counts = null,
  canCreateTest = false,
}: {
  sessionId: string;
  stepCount: number;
  initial: TimelineStep[];
  counts?: Record<TimelineShow, number> | null;
  /** The step drawer offers "Create policy test" (analysts and admins). */
  canCreateTest?: boolean;
}) {
  const [steps, setSteps] = useState(() => new Map(initial.map((s) => [s.step, s])));
  const [error, setError] = useState<string | null>(null);
  const requested = useRef(new Set<number>(initial.some((x) => x.step <= WINDOW) ? [0] : []));
  const parentRef = useRef<HTMLDivElement>(null);
  const [showParam, setShowParam] = useDrawerParam("show");
  const show = isTimelineShow(showParam) ? showParam : null;
  const filtered = useFilteredSteps(sessionId, show);
  const count = show ? filtered.steps.length + (filtered.more ? 1 : 0) : stepCount;
  const v = useVirtualizer({ count, getScrollElement: () => parentRef.current, estimateSize: () => 64, overscan: 12 });
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
    if (show) {
      // The "loading…" row after the last step a chip has shown is in view: its next page.
      if (filtered.more && last >= filtered.steps.length) void filtered.loadMore();
      return;
    }
    for (let w = Math.floor(first / WINDOW); w <= Math.floor(last / WINDOW); w++) void load(w);
  }, [first, last, load, show, filtered]);
  // Another chip starts at the top of its list.
  useEffect(() => {
    parentRef.current?.scrollTo({ top: 0 });
  }, [show]);

  const [jump, setJump] = useState("");
  const [stepParam, setStepParam] = useDrawerParam("step");
  const current = stepParam !== null && /^\d{1,9}$/.test(stepParam) && Number(stepParam) >= 1 && Number(stepParam) <= stepCount ? Number(stepParam) : null;
  // The step in the drawer is loaded (its window) and kept in view, without moving the list when it already is.
  const listIndex = (step: number) => (show ? filtered.steps.findIndex((x) => x.step === step) : step - 1);
  const currentIndex = current === null ? -1 : listIndex(current);
  useEffect(() => {
    if (current === null) return;
    void load(Math.floor((current - 1) / WINDOW));
    if (currentIndex >= 0) v.scrollToIndex(currentIndex, { align: "auto" });
  }, [current, currentIndex, load, v]);

  const [note, setNote] = useState<string | null>(null);
  const goNextDeny = async () => {
    const top = show ? filtered.steps[first]?.step : first + 1;
    const after = current ?? Math.max(0, (top ?? 1) - 1);
    const r = await nextDeny(sessionId, after);
    setNote(r.error ?? (r.step === null ? `No denied step after step ${after.toLocaleString("en")}.` : null));
    if (r.step !== null) setStepParam(String(r.step), current === null ? "push" : "replace");
  };
  const neighbour = (step: number, d: 1 | -1): number | null => {
    if (!show) return step + d >= 1 && step + d <= stepCount ? step + d : null;
    const i = filtered.steps.findIndex((x) => x.step === step);
    return i < 0 ? null : (filtered.steps[i + d]?.step ?? null);
  };

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
        <span className="text-slate-700">
          {show
            ? `${(counts?.[show] ?? filtered.steps.length).toLocaleString("en")} of ${stepCount.toLocaleString("en")} steps`
            : `${stepCount.toLocaleString("en")} steps`}
        </span>
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
      <TimelineFilterBar show={show} counts={counts} onShow={(x) => setShowParam(x)} onNextDeny={() => void goNextDeny()} note={note} />
      {(error ?? (show ? filtered.error : null)) && (
        <p role="alert" className="bg-red-50 px-3 py-2 text-sm text-red-800">
          {error ?? filtered.error}
        </p>
      )}
      <div ref={parentRef} className="h-[70vh] overflow-auto" data-testid="timeline" tabIndex={0} aria-label="Session timeline (scroll to load more steps)">
        <div style={{ height: v.getTotalSize(), position: "relative" }}>
          <div style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${items[0]?.start ?? 0}px)` }}>
            {items.map((it) => {
              const s = show ? filtered.steps[it.index] : steps.get(it.index + 1);
              return (
                <div key={it.key} data-index={it.index} ref={v.measureElement}>
                  {s ? (
                    <StepRow s={s} selected={current === s.step} onOpen={() => setStepParam(String(s.step), current === null ? "push" : "replace")} />
                  ) : (
                    <div className="h-16 border-b border-slate-100 px-3 py-2 text-xs text-slate-500">{show ? "loading…" : `#${it.index + 1} loading…`}</div>
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
          s={current === null ? undefined : (steps.get(current) ?? filtered.steps.find((x) => x.step === current))}
          stepCount={stepCount}
          prev={current === null ? null : neighbour(current, -1)}
          next={current === null ? null : neighbour(current, 1)}
          go={(n) => setStepParam(n === null ? null : String(n))}
          canCreateTest={canCreateTest}
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
  prev,
  next,
  go,
  canCreateTest,
}: {
  sessionId: string;
  step: number | null;
  param: string;
  s: TimelineStep | undefined;
  stepCount: number;
  /** The previous and next step of the list shown (all steps, or a chip's). */
  prev: number | null;
  next: number | null;
  go: (n: number | null) => void;
  canCreateTest: boolean;
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
      onPrev={prev !== null ? () => go(prev) : null}
      onNext={next !== null ? () => go(next) : null}
    >
      {s ? <StepDetails s={s} sessionId={sessionId} /> : <p className="text-slate-600">Loading step {step}…</p>}
      {s?.decisionId && canCreateTest && <CreateTestLink decisionId={s.decisionId} />}
    </Drawer>
  );
}
