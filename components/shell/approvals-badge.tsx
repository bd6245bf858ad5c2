"use client";

/**
 * The number of approvals waiting, beside "Approvals" in the navigation on every console page. The
 * server renders the count with the page; this polls GET /api/console/approvals/count every 10 s (the
 * approvals page also reports each of its own polls), and when a new approval appears it shows the
 * opt-in browser notification (components/approvals/notify.ts).
 */
import { useEffect, useRef, useState } from "react";
import { callApi } from "@/components/api/call-api";
import { notifyNewApproval, PENDING_COUNT_EVENT, type NewestApproval } from "@/components/approvals/notify";
import type { PendingCount } from "@/lib/sessions/queries-approvals";

const POLL_MS = 10_000;

export function ApprovalsBadge({ initial }: { initial: PendingCount }) {
  const [count, setCount] = useState(initial.pending);
  // The creation time of the newest approval seen waiting: one created later is new (an older one
  // becoming the newest because the newest was decided is not).
  const newest = useRef<string | null>(initial.newest?.createdAt ?? null);
  useEffect(() => {
    const seen = (n: number, latest: NewestApproval | null) => {
      setCount(n);
      if (latest && (newest.current === null || latest.createdAt > newest.current)) {
        newest.current = latest.createdAt;
        notifyNewApproval(latest, n);
      }
    };
    const poll = async () => {
      const r = await callApi<PendingCount>("GET", "/api/console/approvals/count");
      if (r.ok) seen(r.data.pending, r.data.newest);
    };
    const t = setInterval(() => void poll(), POLL_MS);
    const onCount = (e: Event) => {
      const d = (e as CustomEvent<{ pending: number; newest: NewestApproval | null }>).detail;
      seen(d.pending, d.newest);
    };
    window.addEventListener(PENDING_COUNT_EVENT, onCount);
    return () => {
      clearInterval(t);
      window.removeEventListener(PENDING_COUNT_EVENT, onCount);
    };
  }, []);
  if (count === 0) return null;
  return (
    <span
      data-testid="approvals-badge"
      aria-label={`${count} waiting`}
      className="ml-1 inline-block min-w-5 rounded-full bg-amber-600 px-1.5 text-center align-top text-xs font-semibold leading-5 text-white"
    >
      {count > 99 ? "99+" : count}
    </span>
  );
}
