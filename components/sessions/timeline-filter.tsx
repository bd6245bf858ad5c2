"use client";

/**
 * The timeline's filter chips (denies only, approvals, label changes, delegation; `?show=` in the URL)
 * with their counts, the steps a chip shows (loaded from the steps API 200 at a time as the list is
 * scrolled), and "Next deny" (the first denied step after the open or topmost one; key `n`).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStep } from "@/lib/sessions/timeline-step";
import { TIMELINE_SHOWS, type TimelineShow } from "@/lib/sessions/timeline-filter";
import { callApi } from "@/components/api/call-api";
import { typing } from "@/components/drawer/drawer";

const PAGE = 200;

const stepsUrl = (sessionId: string, q: string) => `/api/console/sessions/${encodeURIComponent(sessionId)}/steps?${q}`;

/** The steps one chip shows, in step order; `more` until the last page has been read. */
export function useFilteredSteps(sessionId: string, show: TimelineShow | null) {
  const [state, setState] = useState<{ show: TimelineShow | null; steps: TimelineStep[]; more: boolean; error: string | null }>({
    show: null,
    steps: [],
    more: false,
    error: null,
  });
  const loading = useRef(false);
  const loadMore = useCallback(
    async (reset = false) => {
      if (!show || loading.current) return;
      loading.current = true;
      const after = reset ? 0 : (state.steps[state.steps.length - 1]?.step ?? 0);
      const r = await callApi<{ steps: TimelineStep[]; nextAfter: number | null }>("GET", stepsUrl(sessionId, `show=${show}&after=${after}&limit=${PAGE}`));
      loading.current = false;
      setState((prev) => {
        const base = reset || prev.show !== show ? [] : prev.steps;
        if (!r.ok) return { show, steps: base, more: false, error: `These steps could not be loaded: ${r.error}` };
        return { show, steps: [...base, ...r.data.steps], more: r.data.nextAfter !== null, error: null };
      });
    },
    [sessionId, show, state.steps],
  );
  useEffect(() => {
    if (show && state.show !== show) void loadMore(true);
  }, [show, state.show, loadMore]);
  const current = show && state.show === show ? state : { steps: [], more: !!show, error: null };
  return { steps: current.steps, more: current.more, error: current.error, loadMore };
}

/** The first denied step after `after`, or null when there is none. */
export async function nextDeny(sessionId: string, after: number): Promise<{ step: number | null; error: string | null }> {
  const r = await callApi<{ steps: TimelineStep[] }>("GET", stepsUrl(sessionId, `outcome=deny&after=${after}&limit=1`));
  if (!r.ok) return { step: null, error: `The next deny could not be found: ${r.error}` };
  return { step: r.data.steps[0]?.step ?? null, error: null };
}

export function TimelineFilterBar({
  show,
  counts,
  onShow,
  onNextDeny,
  note,
}: {
  show: TimelineShow | null;
  counts: Record<TimelineShow, number> | null;
  onShow: (s: TimelineShow | null) => void;
  onNextDeny: () => void;
  note: string | null;
}) {
  const next = useRef(onNextDeny);
  useEffect(() => {
    next.current = onNextDeny;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "n" || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
      e.preventDefault();
      next.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const chip = (active: boolean) =>
    `rounded-full border px-2.5 py-0.5 text-xs ${active ? "border-indigo-700 bg-indigo-700 text-white" : "border-slate-400 text-slate-800 hover:bg-slate-100"}`;
  return (
    // "Next deny" first: the drawer covers the right of the page, and the button must stay in reach while it is open.
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 text-sm">
      <button
        type="button"
        className="rounded border border-red-700 px-2 py-0.5 text-xs text-red-800 hover:bg-red-50 disabled:opacity-50"
        onClick={onNextDeny}
        disabled={counts?.deny === 0}
        aria-keyshortcuts="n"
        title="Open the next denied step (n)"
      >
        Next deny ↓
      </button>
      <div role="group" aria-label="Show steps" className="flex flex-wrap items-center gap-1" data-testid="timeline-chips">
        <button type="button" className={chip(show === null)} aria-pressed={show === null} onClick={() => onShow(null)}>
          All steps
        </button>
        {TIMELINE_SHOWS.map((s) => (
          <button key={s.id} type="button" className={chip(show === s.id)} aria-pressed={show === s.id} onClick={() => onShow(show === s.id ? null : s.id)}>
            {s.label}
            {counts ? ` (${counts[s.id].toLocaleString("en")})` : ""}
          </button>
        ))}
      </div>
      {/* Always in the page, so that a screen reader announces a new note. */}
      <p role="status" className={note ? "w-full text-xs text-slate-700" : "sr-only"}>
        {note ?? ""}
      </p>
    </div>
  );
}
