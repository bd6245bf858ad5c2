/**
 * The opt-in browser notification "an approval waits" (the Notification API). The permission is asked
 * only when the reviewer clicks "Notify me" on the approvals page; the choice is kept in this browser
 * (localStorage: a notification permission is a browser's, not a user's). The navigation's badge
 * (components/shell/approvals-badge.tsx) polls on every console page and calls notifyNewApproval when
 * a new approval appears. Browser code: no zod.
 */
const KEY = "mandate.approvals.notify";

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

/** Opted in here and allowed by the browser. */
export function notificationsOn(): boolean {
  return notificationsSupported() && localStorage.getItem(KEY) === "on" && Notification.permission === "granted";
}

const CHANGED = "mandate:notify-changed";

/** For useSyncExternalStore: the choice changes here (a click) or in another tab (storage). */
export function subscribeNotifications(cb: () => void): () => void {
  window.addEventListener(CHANGED, cb);
  window.addEventListener("storage", cb);
  return () => {
    window.removeEventListener(CHANGED, cb);
    window.removeEventListener("storage", cb);
  };
}

/** Asks the browser (from a click) and remembers the choice; answers whether notifications are now on. */
export async function enableNotifications(): Promise<boolean> {
  if (!notificationsSupported()) return false;
  const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
  if (permission !== "granted") return false;
  localStorage.setItem(KEY, "on");
  window.dispatchEvent(new Event(CHANGED));
  return true;
}

export function disableNotifications(): void {
  if (!notificationsSupported()) return;
  localStorage.removeItem(KEY);
  window.dispatchEvent(new Event(CHANGED));
}

export interface NewestApproval {
  id: string;
  tool: string;
  agent: string;
  createdAt: string;
}

/** One notification per approval (its id is the tag, so several open tabs show it once). */
export function notifyNewApproval(a: NewestApproval, pending: number): void {
  if (!notificationsOn()) return;
  const n = new Notification(`Approval waiting: ${a.tool}`, {
    body: `${a.agent} waits for a decision${pending > 1 ? ` (${pending} waiting)` : ""}.`,
    tag: `mandate-approval-${a.id}`,
  });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}

/** The approvals page tells the badge the count it has just polled (no second request). */
export const PENDING_COUNT_EVENT = "mandate:pending-approvals";
