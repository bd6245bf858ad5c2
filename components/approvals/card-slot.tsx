"use client";

import { useEffect, useLayoutEffect, useRef } from "react";
import type { PendingApprovalItem } from "@/lib/sessions/queries-approvals";
import { ApprovalCard } from "./approval-card";
import { resolutionText, type Resolution } from "./queue-state";

/**
 * One place of the card layout: the card while it is pending, then — decided here or elsewhere, or
 * expired — one line saying so in a box of the card's last height, so the cards after it stay put.
 */
export function CardSlot({
  a,
  resolved,
  current,
  selected,
  canDecide,
  skewMs,
  onDecided,
  onCursor,
}: {
  a: PendingApprovalItem;
  resolved: Resolution | undefined;
  current: boolean;
  selected: boolean;
  canDecide: boolean;
  skewMs: number;
  onDecided: (id: string, decision: "approve" | "deny", message: string) => void;
  onCursor: (id: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const height = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    // Before the browser paints the collapsed line: the box keeps the card's height.
    if (!resolved) height.current = el.offsetHeight;
    else if (height.current) el.style.height = `${height.current}px`;
  });
  // Also when the card changes size without a render (its "Arguments" opened or closed).
  useEffect(() => {
    const el = box.current;
    if (resolved || !el) return;
    const ro = new ResizeObserver(() => (height.current = el.offsetHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [resolved]);
  const ring = current ? "ring-2 ring-indigo-600" : selected ? "ring-2 ring-amber-500" : "";
  return (
    <div
      ref={box}
      data-queue-item=""
      data-approval-id={a.id}
      aria-current={current ? "true" : undefined}
      className={`rounded ${ring}`}
      onClickCapture={() => onCursor(a.id)}
    >
      {resolved ? (
        <div data-testid="resolved-approval" className="h-full rounded border border-dashed border-slate-300 bg-slate-50 p-4 text-sm text-slate-600">
          <span className="font-mono">{a.tool}</span> by {a.agent} · <span className="italic">{resolutionText(resolved)}</span>
        </div>
      ) : (
        <ApprovalCard a={a} canDecide={canDecide} skewMs={skewMs} selected={selected} onDecided={onDecided} />
      )}
    </div>
  );
}
