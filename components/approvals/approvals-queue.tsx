"use client";

/**
 * The approvals queue, kept current without a reload and without moving under the pointer: it polls
 * the console's queue endpoint every 3 seconds (and at once after a decision), and folds each answer
 * into a frozen display order (queue-state.ts): an item decided elsewhere or expired collapses in place,
 * a new one is appended at the end, and only the reviewer's own actions (sort, filters, "Tidy up")
 * reorder. Two layouts, cards or a compact table, stored per user. The keyboard (use-queue-keys.ts)
 * and the bulk deny decide through the same endpoint as the buttons, POST /api/v1/approvals/:id/decision,
 * once per approval (the server checks the role and writes one audit entry each).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Role } from "@/lib/identity/credential-cache";
import type { ApprovalsView } from "@/lib/console/preferences";
import type { ApprovalQueue } from "@/lib/sessions/queries-approvals";
import { callApi } from "@/components/api/call-api";
import { CardSlot } from "./card-slot";
import { DecidedTable } from "./decided-table";
import { decisionMessage } from "./decide-form";
import { PENDING_COUNT_EVENT } from "./notify";
import { QueueTable } from "./queue-table";
import { QueueToolbar } from "./queue-toolbar";
import { initialView, markMine, moveCursor, NO_FILTERS, reconcile, sortIds, tidy, valuesOf, visibleIds, type Filters, type Sort } from "./queue-state";
import { useQueueKeys, type Confirming } from "./use-queue-keys";

const POLL_MS = 3000;
/** The queue endpoint answers at most this many pending (lib/sessions/queries-approvals.ts). */
const PENDING_LIMIT = 100;

type Status = { tone: "ok" | "error" | "info"; text: string } | null;

export function ApprovalsQueue({ initial, role, email, view: initialMode }: { initial: ApprovalQueue; role: Role; email: string; view: ApprovalsView }) {
  const [view, setView] = useState(() => initialView(initial.pending));
  const [decided, setDecided] = useState(initial.decided);
  const [serverNow, setServerNow] = useState(initial.now);
  const [fetchedAt, setFetchedAt] = useState(() => Date.now());
  const [mode, setMode] = useState<ApprovalsView>(initialMode);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [sort, setSort] = useState<Sort | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const skewMs = Date.parse(serverNow) - fetchedAt;
  const canDecide = role === "admin" || role === "analyst";
  const viewRef = useRef(view);
  useEffect(() => {
    viewRef.current = view;
  }, [view]);

  const refresh = useCallback(async () => {
    const watch = viewRef.current.order.filter((id) => !viewRef.current.resolved[id]);
    const r = await callApi<ApprovalQueue>("GET", `/api/console/approvals${watch.length ? `?watch=${watch.join(",")}` : ""}`);
    if (!r.ok) return setPollError(`The queue could not be refreshed (${r.error}); showing what was loaded last. Retrying…`);
    setPollError(null);
    setFetchedAt(Date.now());
    setServerNow(r.data.now);
    setDecided(r.data.decided);
    setView((v) => reconcile(v, r.data).view);
    if (r.data.pending.length < PENDING_LIMIT) {
      const newest = r.data.pending.reduce<ApprovalQueue["pending"][number] | null>((m, p) => (!m || p.createdAt > m.createdAt ? p : m), null);
      const detail = {
        pending: r.data.pending.length,
        newest: newest && { id: newest.id, tool: newest.tool, agent: newest.agent, createdAt: newest.createdAt },
      };
      window.dispatchEvent(new CustomEvent(PENDING_COUNT_EVENT, { detail }));
    }
  }, []);
  useEffect(() => {
    const t = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const ids = useMemo(() => visibleIds(view, filters), [view, filters]);
  const open = ids.filter((id) => !view.resolved[id]);
  const collapsed = view.order.filter((id) => view.resolved[id]).length;
  const selectedOpen = [...selected].filter((id) => view.items[id] && !view.resolved[id]);

  /** Decides each approval through the one decision endpoint, in turn; each success collapses in place. */
  const decide = useCallback(
    async (targets: string[], decision: "approve" | "deny") => {
      if (!targets.length) return;
      setBusy(true);
      setStatus({ tone: "info", text: `${decision === "approve" ? "Approving" : "Denying"} ${targets.length}…` });
      const failed: string[] = [];
      let done = 0;
      for (const id of targets) {
        const r = await callApi("POST", `/api/v1/approvals/${id}/decision`, { decision });
        if (r.ok) {
          done++;
          setView((v) => markMine(v, [id], decision === "approve" ? "approved" : "denied", email));
        } else failed.push(`${viewRef.current.items[id]?.tool ?? id}: ${r.error}`);
      }
      setSelected((s) => new Set([...s].filter((id) => !targets.includes(id))));
      setBusy(false);
      if (!failed.length) setStatus({ tone: "ok", text: decisionMessage(decision, done) });
      else setStatus({ tone: "error", text: `${done} of ${targets.length} decided; not decided: ${failed.join("; ")}` });
      void refresh();
    },
    [email, refresh],
  );

  /** Decides what was confirmed, less what was decided elsewhere or expired while the question was open. */
  const confirmNow = (c: Confirming) => {
    setConfirming(null);
    const still = c.ids.filter((id) => !view.resolved[id]);
    if (still.length) void decide(still, c.decision);
    else setStatus({ tone: "info", text: "Nothing left to decide: it was decided elsewhere or expired meanwhile." });
  };

  useQueueKeys({
    confirming: confirming !== null,
    move: (step) => setCursor((c) => moveCursor(view, ids, c, step)),
    toggleSelect: () => {
      if (!cursor || view.resolved[cursor]) return;
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(cursor)) n.delete(cursor);
        else n.add(cursor);
        return n;
      });
    },
    ask: (decision) => {
      if (!canDecide) return setStatus({ tone: "error", text: "Deciding approvals needs the analyst or admin role." });
      const targets = decision === "deny" && selectedOpen.length ? selectedOpen : cursor && !view.resolved[cursor] ? [cursor] : [];
      if (!targets.length) return setStatus({ tone: "info", text: "Move to an approval first (j / k)." });
      setConfirming({ decision, ids: targets });
    },
    confirm: () => {
      if (confirming) confirmNow(confirming);
    },
    cancel: () => {
      if (confirming) setConfirming(null);
      else setSelected(new Set());
    },
  });

  // The cursor's item in view (the reviewer moved it: scrolling is theirs).
  useEffect(() => {
    if (cursor) document.querySelector(`[data-queue-item][data-approval-id="${cursor}"]`)?.scrollIntoView({ block: "nearest" });
  }, [cursor]);

  const chooseMode = async (m: ApprovalsView) => {
    setMode(m);
    const r = await callApi("POST", "/api/v1/account/preferences", { approvals_view: m });
    if (!r.ok) setStatus({ tone: "error", text: `The layout could not be saved (${r.error}).` });
  };
  const select = (id: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const onDecidedByForm = (id: string, decision: "approve" | "deny", message: string) => {
    setView((v) => markMine(v, [id], decision === "approve" ? "approved" : "denied", email));
    setStatus({ tone: "ok", text: message });
    void refresh();
  };
  const confirmText = confirming
    ? confirming.ids.length === 1
      ? `${confirming.decision === "approve" ? "Approve" : "Deny"} ${view.items[confirming.ids[0]]?.tool ?? ""} by ${view.items[confirming.ids[0]]?.agent ?? ""}?`
      : `Deny ${confirming.ids.length} selected approvals?`
    : "";

  return (
    <div className="space-y-6 pb-16">
      <section aria-labelledby="pending-h" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="pending-h" className="text-lg font-semibold">
            Waiting for a decision ({view.order.length - collapsed})
          </h2>
          <p className="text-xs text-slate-600">
            Updates every {POLL_MS / 1000} s; new items are added at the end. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>a</kbd> approve, <kbd>d</kbd> deny,{" "}
            <kbd>x</kbd> select, then <kbd>y</kbd> or <kbd>Enter</kbd> to confirm, <kbd>Esc</kbd> to cancel.
          </p>
        </div>
        <QueueToolbar
          mode={mode}
          onMode={(m) => void chooseMode(m)}
          filters={filters}
          onFilters={(f) => setFilters({ ...f, since: Date.now() + skewMs })}
          agents={valuesOf(view, "agent")}
          tools={valuesOf(view, "tool")}
          selected={selectedOpen.length}
          collapsed={collapsed}
          canDecide={canDecide}
          busy={busy}
          onBulkDeny={() => selectedOpen.length && setConfirming({ decision: "deny", ids: selectedOpen })}
          onTidy={() => {
            setView((v) => tidy(v, sort));
            setSelected(new Set());
          }}
        />
        {/* One line, always there: what happened, without pushing the list down. */}
        <p
          role="status"
          data-testid="queue-status"
          className={`h-6 truncate text-sm ${pollError || status?.tone === "error" ? "text-red-800" : status?.tone === "ok" ? "text-emerald-800" : "text-slate-700"}`}
        >
          {pollError ?? status?.text ?? ""}
        </p>
        {view.order.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700" data-testid="no-pending">
            Nothing is waiting for you. Calls that a policy marks with <code>@approval</code> (by default, destructive tools) appear here the moment an agent
            makes them; the agent waits until you decide or the approval expires.
          </p>
        ) : ids.length === 0 ? (
          <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700">Nothing matches these filters.</p>
        ) : mode === "table" ? (
          <QueueTable
            rows={ids.map((id) => view.items[id])}
            resolved={view.resolved}
            cursor={cursor}
            selected={selected}
            sort={sort}
            canDecide={canDecide}
            busy={busy}
            skewMs={skewMs}
            onSort={(s) => {
              setSort(s);
              setView((v) => ({ ...v, order: s ? sortIds(v, v.order, s) : v.order }));
            }}
            onSelect={select}
            onCursor={setCursor}
            onDecide={(t, d) => void decide(t, d)}
          />
        ) : (
          <div className="grid gap-3 xl:grid-cols-2">
            {ids.map((id) => (
              <CardSlot
                key={id}
                a={view.items[id]}
                resolved={view.resolved[id]}
                current={cursor === id}
                selected={selected.has(id)}
                canDecide={canDecide}
                skewMs={skewMs}
                onDecided={onDecidedByForm}
                onCursor={setCursor}
              />
            ))}
          </div>
        )}
        <p className="sr-only" aria-live="polite">
          {open.length} waiting
        </p>
      </section>
      {confirming && (
        <div
          role="alertdialog"
          aria-label="Confirm decision"
          data-testid="queue-confirm"
          className="fixed inset-x-0 bottom-4 z-40 mx-auto flex w-fit items-center gap-3 rounded border border-slate-300 bg-white px-4 py-2 text-sm shadow-lg"
        >
          <span className="font-medium">{confirmText}</span>
          <span className="text-slate-600">
            <kbd>y</kbd> / <kbd>Enter</kbd> to confirm · <kbd>Esc</kbd> to cancel
          </span>
          <button type="button" className="rounded bg-indigo-700 px-2 py-1 text-white" onClick={() => confirmNow(confirming)}>
            Confirm
          </button>
          <button type="button" className="rounded border border-slate-300 px-2 py-1" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      )}
      <section aria-labelledby="decided-h">
        <h2 id="decided-h" className="text-lg font-semibold">
          Recently decided
        </h2>
        <DecidedTable decided={decided} />
      </section>
    </div>
  );
}
