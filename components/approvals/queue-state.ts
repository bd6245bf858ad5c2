/**
 * The approvals queue's display state, framework-free (unit-tested in queue-state.test.ts): the order the
 * page shows its items in is frozen, so nothing moves under the pointer while a reviewer works.
 *
 * - An item decided elsewhere (or here), used or expired stays where it was and collapses to a
 *   "decided elsewhere by X" / "expired" row of the same size; only the reviewer's "Tidy up" removes it.
 * - A new pending item is appended at the end, never inserted above what is shown.
 * - Sorting reorders only when the reviewer asks (a header click, "Tidy up"); filters are evaluated at the
 *   time they are set (the age filter against that moment), so a row does not come or go by itself.
 *
 * Browser code: plain data and functions, no zod (the console's CSP forbids eval).
 */
import type { ApprovalQueue, DecidedApprovalItem, PendingApprovalItem } from "@/lib/sessions/queries-approvals";

export interface Resolution {
  /** approved | denied | used | expired, or "gone" when the server no longer knows the item. */
  status: string;
  by: string | null;
  /** Decided from this page (by the signed-in user), not elsewhere. */
  mine: boolean;
}

export interface QueueView {
  order: string[];
  items: Record<string, PendingApprovalItem>;
  resolved: Record<string, Resolution>;
}

export type SortKey = "tool" | "agent" | "session" | "age" | "expires";
export interface Sort {
  key: SortKey;
  desc: boolean;
}

export interface Filters {
  agent: string;
  tool: string;
  session: string;
  /** Waiting at least this many minutes (0: any), measured at `since`. */
  minAgeMin: number;
  /** When the filters were set (epoch ms, server time). */
  since: number;
}

export const NO_FILTERS: Filters = { agent: "", tool: "", session: "", minAgeMin: 0, since: 0 };

export function initialView(pending: PendingApprovalItem[]): QueueView {
  return { order: pending.map((p) => p.id), items: Object.fromEntries(pending.map((p) => [p.id, p])), resolved: {} };
}

function resolutionOf(d: DecidedApprovalItem | undefined): Resolution {
  if (!d) return { status: "gone", by: null, mine: false };
  return { status: d.status, by: d.decidedBy, mine: false };
}

/**
 * Folds a fresh poll into the view: shown items that are no longer pending collapse in place (what
 * became of them from `watched` or `decided`), pending ones get their fresh data, new ones go last.
 */
export function reconcile(view: QueueView, fresh: Pick<ApprovalQueue, "pending" | "decided" | "watched">): { view: QueueView; added: number } {
  const pending = new Map(fresh.pending.map((p) => [p.id, p]));
  const known = new Map([...fresh.decided, ...fresh.watched].map((d) => [d.id, d]));
  const items = { ...view.items };
  const resolved = { ...view.resolved };
  for (const id of view.order) {
    const p = pending.get(id);
    if (p && !resolved[id]) items[id] = p;
    else if (!p && !resolved[id]) resolved[id] = resolutionOf(known.get(id));
  }
  const shown = new Set(view.order);
  const fresher = fresh.pending.filter((p) => !shown.has(p.id));
  for (const p of fresher) items[p.id] = p;
  return { view: { order: [...view.order, ...fresher.map((p) => p.id)], items, resolved }, added: fresher.length };
}

/** The reviewer decided these from this page. */
export function markMine(view: QueueView, ids: string[], status: "approved" | "denied", by: string): QueueView {
  const resolved = { ...view.resolved };
  for (const id of ids) resolved[id] = { status, by, mine: true };
  return { ...view, resolved };
}

const sortValue: Record<SortKey, (a: PendingApprovalItem) => string | number> = {
  tool: (a) => a.tool,
  agent: (a) => a.agent,
  session: (a) => `${a.sessionId}\u0000${String(a.step).padStart(10, "0")}`,
  // The time waited: ascending = the most recent first, descending = waiting longest first.
  age: (a) => -Date.parse(a.createdAt),
  expires: (a) => Date.parse(a.expiresAt),
};

export function sortIds(view: QueueView, ids: string[], sort: Sort | null): string[] {
  if (!sort) return ids;
  const v = sortValue[sort.key];
  const dir = sort.desc ? -1 : 1;
  return [...ids].sort((x, y) => {
    const a = v(view.items[x]);
    const b = v(view.items[y]);
    return (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

/** The reviewer's "Tidy up": collapsed items go, the rest are put in the chosen order. */
export function tidy(view: QueueView, sort: Sort | null): QueueView {
  const order = sortIds(
    view,
    view.order.filter((id) => !view.resolved[id]),
    sort,
  );
  return { order, items: Object.fromEntries(order.map((id) => [id, view.items[id]])), resolved: {} };
}

export function matches(a: PendingApprovalItem, f: Filters): boolean {
  if (f.agent && a.agent !== f.agent) return false;
  if (f.tool && a.tool !== f.tool) return false;
  if (f.session && !a.sessionId.toLowerCase().includes(f.session.toLowerCase())) return false;
  if (f.minAgeMin > 0 && f.since - Date.parse(a.createdAt) < f.minAgeMin * 60_000) return false;
  return true;
}

/** The ids shown under these filters, in display order (collapsed ones stay where they were). */
export function visibleIds(view: QueueView, f: Filters): string[] {
  return view.order.filter((id) => matches(view.items[id], f));
}

/** j/k: the next (step 1) or previous (step -1) item still pending, from the cursor; null when none. */
export function moveCursor(view: QueueView, ids: string[], cursor: string | null, step: 1 | -1): string | null {
  const open = (id: string) => !view.resolved[id];
  let i = cursor ? ids.indexOf(cursor) : -1;
  if (i < 0 && step < 0) i = ids.length;
  for (i += step; i >= 0 && i < ids.length; i += step) if (open(ids[i])) return ids[i];
  return cursor && ids.includes(cursor) ? cursor : null;
}

/** The text a collapsed item shows in place of its card or row. */
export function resolutionText(r: Resolution): string {
  if (r.status === "expired") return "Expired before anyone decided";
  if (r.status === "gone") return "No longer pending";
  const verb = r.status === "used" ? "approved (and used)" : r.status;
  return r.mine ? `${verb[0].toUpperCase()}${verb.slice(1)} by you` : `Decided elsewhere by ${r.by ?? "someone"}: ${verb}`;
}

/** The distinct values of a field among the shown items, for the filter selects. */
export function valuesOf(view: QueueView, field: "agent" | "tool"): string[] {
  return [...new Set(view.order.map((id) => view.items[id][field]))].sort();
}
