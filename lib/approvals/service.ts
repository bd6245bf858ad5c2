/**
 * The approval machinery of a node, built by the composition root (lib/runtime/start.ts): the listener
 * that wakes long polls and queues webhook notifications of approval events, and the node's duties
 * (the expiry sweeper and the webhook worker). None of it runs on the decision path: the listener only
 * starts asynchronous work.
 */
import type { ChangeListener } from "../runtime/runtime.ts";
import { NotificationWorker, enqueueNotification } from "./deliveries.ts";
import type { ApprovalEvent } from "./notify-format.ts";
import type { ApprovalWaiters } from "./waiters.ts";
import { logger } from "../telemetry/log.ts";

const SWEEP_MS = 10_000;
const EVENTS = new Set<string>(["approval.created", "approval.decided", "approval.expired"]);

const log = (what: string) => (err: unknown) => logger.error(`approvals: ${what}`, { component: "approvals", err });

/**
 * After an approval event committed in this process: wakes its long polls and queues its webhook
 * notification; `kick` starts the webhook worker at once when this process runs it.
 */
export function approvalListener(waiters: ApprovalWaiters, publicUrl: string, kick: () => void): ChangeListener {
  return (event) => {
    if (!EVENTS.has(event.type)) return;
    const id = typeof event.data.id === "string" ? event.data.id : "";
    waiters.wake(id);
    void enqueueNotification(event.type as ApprovalEvent, id, publicUrl)
      .then((queued) => queued && kick())
      .catch(log("queueing a webhook"));
  };
}

/** The webhook worker (a no-op without a configured webhook). */
export function startNotificationWorker(): NotificationWorker {
  const worker = new NotificationWorker();
  worker.start();
  return worker;
}

/** Expires due approvals every SWEEP_MS (whichever node gets there first); returns its stop. */
export function startExpirySweeper(expire: () => Promise<number>): () => void {
  const sweeper = setInterval(() => void expire().catch(log("expiry sweep")), SWEEP_MS);
  sweeper.unref();
  return () => clearInterval(sweeper);
}
