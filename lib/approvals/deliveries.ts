/**
 * Webhook deliveries of approval events (MANDATE_APPROVAL_WEBHOOK, _FORMAT json|slack). An event is
 * written to approval_notifications and delivered by a worker on any node: claimed with a lease
 * (FOR UPDATE SKIP LOCKED, so two nodes never send the same attempt), retried with exponential back-off,
 * and its status (attempts, last HTTP status or error, delivered/failed) is visible on the approval.
 * Nothing here runs on, or can block, the decision path.
 */
import { randomUUID } from "node:crypto";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { env } from "../env.ts";
import { slackText, webhookPayload, type ApprovalEvent, type WebhookFormat } from "./notify-format.ts";
import { loadApprovalRow, toView } from "./view.ts";
import { logger } from "../telemetry/log.ts";

export const MAX_ATTEMPTS = 6;
const TIMEOUT_MS = 5000;
const LEASE_S = 60;
const CLAIM_BATCH = 20;

export function backoffSeconds(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1), 300);
}

export interface WebhookConfig {
  url: string;
  format: WebhookFormat;
}

export function webhookConfig(): WebhookConfig | null {
  const e = env();
  return e.MANDATE_APPROVAL_WEBHOOK ? { url: e.MANDATE_APPROVAL_WEBHOOK, format: e.MANDATE_APPROVAL_WEBHOOK_FORMAT } : null;
}

/** Records an event to deliver (no-op without a configured webhook). */
export async function enqueueNotification(event: ApprovalEvent, approvalId: string, publicUrl: string): Promise<boolean> {
  const cfg = webhookConfig();
  if (!cfg) return false;
  const row = await loadApprovalRow(approvalId);
  if (!row) return false;
  const payload = webhookPayload(cfg.format, event, toView(row, publicUrl));
  await getPool().query(
    `INSERT INTO approval_notifications (id, approval_id, event, format, target, payload, status, attempts, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, now(), now())`,
    [randomUUID(), approvalId, event, cfg.format, new URL(cfg.url).origin, JSON.stringify(payload)],
  );
  return true;
}

/**
 * Records an event that is not about an approval (`key.leaked`: lib/identity/leak-report.ts) for the same
 * webhook and worker; no-op without a configured webhook. `data`: the event's facts (JSON format as is;
 * Slack: one escaped line).
 */
export async function enqueueEventNotification(event: string, data: Record<string, unknown>): Promise<boolean> {
  const cfg = webhookConfig();
  if (!cfg) return false;
  const payload =
    cfg.format === "slack"
      ? {
          text: `Mandate ${slackText(event)}: ${Object.entries(data)
            .map(([k, v]) => `${slackText(k)}=${slackText(v ?? "none")}`)
            .join(", ")}`,
        }
      : { event, ...data };
  await getPool().query(
    `INSERT INTO approval_notifications (id, approval_id, event, format, target, payload, status, attempts, next_attempt_at, created_at)
     VALUES ($1, NULL, $2, $3, $4, $5, 'pending', 0, now(), now())`,
    [randomUUID(), event, cfg.format, new URL(cfg.url).origin, JSON.stringify(payload)],
  );
  return true;
}

/** One HTTP attempt; the error never contains the webhook's path (Slack URLs are secrets). */
async function post(cfg: WebhookConfig, id: string, event: string, payload: unknown): Promise<{ ok: boolean; status: number | null; error: string | null }> {
  try {
    const res = await fetch(cfg.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Mandate-Webhook/1", "x-mandate-event": event, "x-mandate-delivery": id },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status, error: null } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === "TimeoutError" ? `timed out after ${TIMEOUT_MS} ms` : (e.cause?.code ?? e.message);
    return { ok: false, status: null, error: String(why).split(cfg.url).join(new URL(cfg.url).origin).slice(0, 500) };
  }
}

export class NotificationWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;

  start(intervalMs = 1000): void {
    if (this.timer || !webhookConfig()) return;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.tick()
      .catch((err) => logger.error("approvals: webhook worker failed", { component: "approvals", err }))
      .finally(() => {
        this.running = false;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const cfg = webhookConfig();
    if (!cfg) return;
    const pool = getPool();
    const claimed = await pool.query<Row<"approval_notifications", "id" | "event" | "payload" | "attempts">>(
      `UPDATE approval_notifications SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${LEASE_S})
        WHERE id IN (SELECT id FROM approval_notifications WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING id, event, payload, attempts`,
    );
    await Promise.all(
      claimed.rows.map(async (n) => {
        const r = await post(cfg, n.id, n.event, n.payload);
        const status = r.ok ? "delivered" : n.attempts >= MAX_ATTEMPTS ? "failed" : "pending";
        await pool.query(
          `UPDATE approval_notifications SET status = $2, last_status = $3, last_error = $4,
                  delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE NULL END,
                  next_attempt_at = now() + make_interval(secs => $5)
            WHERE id = $1`,
          [n.id, status, r.status, r.error, backoffSeconds(n.attempts)],
        );
      }),
    );
  }
}
