/**
 * Webhook payloads for approval events: generic JSON, or a Slack-compatible message (incoming
 * webhooks: `text` plus Block Kit `blocks`), both with a link to the approval in the console.
 *
 * In Slack's mrkdwn, `&`, `<` and `>` are control characters: `<!channel>` pings everyone, `<url|text>`
 * is a link whose text hides its target. Every value in the message that Mandate did not write itself
 * (session id, tool, agent name, reasons, comment, who decided) is escaped (`&amp;`, `&lt;`, `&gt;`), so
 * it reads as the characters it is; the console link is the only `<url|text>` in the message. Plain
 * `@here` / `@channel` / `@everyone` in such a value get a word joiner after the `@`, so that they are
 * not mentions even where a workspace links plain names. The JSON format is data (the exact values).
 */
import type { ApprovalView } from "./view.ts";

export type WebhookFormat = "json" | "slack";
export type ApprovalEvent = "approval.created" | "approval.decided" | "approval.expired";

const BROADCAST = /@(here|channel|everyone)\b/gi;

/** A value shown as text in Slack mrkdwn: no link, mention or entity can come out of it. */
export function slackText(value: unknown): string {
  return String(value).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replace(BROADCAST, "@\u2060$1");
}

function headline(event: ApprovalEvent, a: ApprovalView): string {
  const who = slackText(a.agent.name ?? a.agent.id);
  const tool = slackText(a.tool);
  const where = `(session ${slackText(a.session.id)}, step ${slackText(a.session.step)})`;
  if (event === "approval.created") return `Approval needed: agent ${who} wants to call ${tool} ${where}`;
  if (event === "approval.expired") return `Approval expired: ${tool} for agent ${who} ${where}`;
  return `Approval ${slackText(a.status)}${a.decided_by ? ` by ${slackText(a.decided_by)}` : ""}: ${tool} for agent ${who} ${where}`;
}

function reasonsText(a: ApprovalView): string {
  const list = Array.isArray(a.reasons) ? (a.reasons as Array<{ policy?: string; message?: string }>) : [];
  return list.map((r) => `${slackText(r.policy ?? "?")}: ${slackText(r.message ?? "")}`).join("; ");
}

export function webhookPayload(format: WebhookFormat, event: ApprovalEvent, a: ApprovalView): Record<string, unknown> {
  if (format === "json") {
    const { notifications: _n, ...approval } = a;
    return { event, approval, url: a.console_url, sent_at: new Date().toISOString() };
  }
  // The link's target is Mandate's own URL (public URL + approval UUID); its text is fixed.
  const text = `${headline(event, a)}. <${a.console_url}|Open in Mandate>`;
  const details = [`*Reasons:* ${reasonsText(a) || "n/a"}`, `*Expires:* ${slackText(a.expires_at)}`];
  if (a.comment) details.push(`*Comment:* ${slackText(a.comment)}`);
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      { type: "context", elements: [{ type: "mrkdwn", text: details.join("  ·  ") }] },
    ],
  };
}
