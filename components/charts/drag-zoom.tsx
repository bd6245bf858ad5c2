"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { zoomRange } from "@/lib/analytics/time-range";
import { useRangeHref } from "@/components/time/range-picker";

interface ChartPointer {
  activeIndex?: unknown;
}

const indexOf = (e: ChartPointer | null | undefined): number | null => {
  const i = Number(e?.activeIndex);
  return e && e.activeIndex !== undefined && e.activeIndex !== null && Number.isInteger(i) ? i : null;
};

/**
 * Drag-to-zoom over a time chart (recharts' ReferenceArea pattern): mouse down on a point, move, up on
 * another: the page's range becomes those points' intervals (`?from=&to=`, read by the server like any
 * range). A drag that stays on one point is a click (the bar's drill-down); `wasDrag()` tells the bar's
 * click handler to stay quiet after a drag.
 */
export function useDragZoom(points: ReadonlyArray<{ t: string }>, bucketMs: number, fallback: string) {
  const router = useRouter();
  const href = useRangeHref(fallback);
  const [area, setArea] = useState<[number, number] | null>(null);
  const dragged = useRef(false);
  const handlers = {
    onMouseDown: (e: ChartPointer) => {
      const i = indexOf(e);
      dragged.current = false;
      if (i !== null) setArea([i, i]);
    },
    onMouseMove: (e: ChartPointer) => {
      const i = indexOf(e);
      if (area && i !== null && i !== area[1]) setArea([area[0], i]);
    },
    onMouseUp: () => {
      const r = area ? zoomRange(points, area[0], area[1], bucketMs) : null;
      setArea(null);
      if (!r) return;
      dragged.current = true;
      router.push(href(r));
    },
    onMouseLeave: () => setArea(null),
  };
  return {
    area: area && area[0] !== area[1] ? ([Math.min(...area), Math.max(...area)] as [number, number]) : null,
    handlers,
    wasDrag: () => dragged.current,
  };
}

/** "Reset zoom": back to the page's default range (also shown when the zoomed range has no bars to draw). */
export function ZoomReset({ fallback }: { fallback: string }) {
  const router = useRouter();
  const href = useRangeHref(fallback);
  return (
    <button
      type="button"
      onClick={() => router.push(href({ range: fallback }))}
      className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-100"
    >
      Reset zoom
    </button>
  );
}

/** The hint over a zoomable chart, and "Reset zoom" once zoomed. */
export function ZoomBar({ zoomed, fallback }: { zoomed: boolean; fallback: string }) {
  return (
    <p className="mb-1 flex items-center gap-2 text-xs text-slate-600">
      <span>Drag across the bars to zoom in.</span>
      {zoomed && <ZoomReset fallback={fallback} />}
    </p>
  );
}
