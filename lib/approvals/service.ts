/**
 * Installs the approval machinery into the runtime (server/plugins.ts): webhook notifications of
 * approval events, long-poll wake-ups (local events and the change feed), the expiry sweeper and the
 * webhook worker. None of it runs on the decision path: listeners only start asynchronous work.
 */
import type { Runtime } from "../runtime/runtime.ts";
import { NotificationWorker, enqueueNotification } from "./deliveries.ts";
import { expireDue } from "./expire.ts";
import type { ApprovalEvent } from "./notify-format.ts";
import { approvalWaiters } from "./waiters.ts";

const SWEEP_MS = 10_000;
const EVENTS = new Set<string>(["approval.created", "approval.decided", "approval.expired"]);

type G = { __mandateApprovalsInstalled?: boolean };

export function installApprovals(rt: Runtime): void {
  const g = globalThis as G;
  if (g.__mandateApprovalsInstalled) return;
  g.__mandateApprovalsInstalled = true;
  const waiters = approvalWaiters();
  const worker = new NotificationWorker();
  const log = (what: string) => (err: unknown) => console.error(`[approvals] ${what}: ${(err as Error).message}`);

  rt.listeners.push((event) => {
    if (!EVENTS.has(event.type)) return;
    const id = typeof event.data.id === "string" ? event.data.id : "";
    waiters.wake(id);
    void enqueueNotification(event.type as ApprovalEvent, id, rt.config.publicUrl)
      .then((queued) => queued && worker.kick())
      .catch(log("queueing a webhook"));
  });
  rt.changes.on((table, key) => {
    if (table === "approvals") waiters.wake(key);
  });
  rt.changes.onReset(() => waiters.wakeAll());

  const sweeper = setInterval(() => void expireDue().catch(log("expiry sweep")), SWEEP_MS);
  sweeper.unref();
  worker.start();

  const stop = rt.stop.bind(rt);
  rt.stop = async () => {
    clearInterval(sweeper);
    worker.stop();
    waiters.wakeAll();
    g.__mandateApprovalsInstalled = false;
    await stop();
  };
}
