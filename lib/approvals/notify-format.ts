/**
 * Webhook payloads for approval events: generic JSON, or a Slack-compatible message (incoming
 * webhooks: `text` plus Block Kit `blocks`), both with a link to the approval in the console.
 */
import type { ApprovalView } from "./view.ts";

export type WebhookFormat = "json" | "slack";
export type ApprovalEvent = "approval.created" | "approval.decided" | "approval.expired";

function headline(event: ApprovalEvent, a: ApprovalView): string {
  const who = a.agent.name ?? a.agent.id;
  if (event === "approval.created") return `Approval needed: agent ${who} wants to call ${a.tool} (session ${a.session.id}, step ${a.session.step})`;
  if (event === "approval.expired") return `Approval expired: ${a.tool} for agent ${who} (session ${a.session.id}, step ${a.session.step})`;
  return `Approval ${a.status}${a.decided_by ? ` by ${a.decided_by}` : ""}: ${a.tool} for agent ${who} (session ${a.session.id}, step ${a.session.step})`;
}

function reasonsText(a: ApprovalView): string {
  const list = Array.isArray(a.reasons) ? (a.reasons as Array<{ policy?: string; message?: string }>) : [];
  return list.map((r) => `${r.policy ?? "?"}: ${r.message ?? ""}`).join("; ");
}

export function webhookPayload(format: WebhookFormat, event: ApprovalEvent, a: ApprovalView): Record<string, unknown> {
  if (format === "json") {
    const { notifications: _n, ...approval } = a;
    return { event, approval, url: a.console_url, sent_at: new Date().toISOString() };
  }
  const text = `${headline(event, a)}. <${a.console_url}|Open in Mandate>`;
  const details = [`*Reasons:* ${reasonsText(a) || "n/a"}`, `*Expires:* ${a.expires_at}`];
  if (a.comment) details.push(`*Comment:* ${a.comment}`);
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "context", elements: [{ type: "mrkdwn", text: details.join("  ·  ") }] },
    ],
  };
}
