import { describe, expect, it } from "vitest";
import { backoffSeconds } from "./deliveries.ts";
import { webhookPayload } from "./notify-format.ts";
import { effectiveStatus, toView } from "./view.ts";
import { ApprovalWaiters } from "./waiters.ts";

const row = {
  id: "11111111-2222-3333-4444-555555555555",
  decision_id: "d",
  session_id: "s-1",
  step: 3,
  agent_id: "a",
  agent_name: "ops-agent",
  tool: "files/delete_file",
  args_hash: "ab",
  reasons: [{ policy: "destructive-needs-approval", message: "destructive tools need a human approval" }],
  status: "pending",
  expires_at: new Date(Date.now() + 60_000),
  created_at: new Date(),
  decided_by: null,
  decided_at: null,
  comment: null,
};

describe("approval views", () => {
  it("a pending approval past its expiry reads as expired", () => {
    expect(effectiveStatus("pending", new Date(Date.now() - 1))).toBe("expired");
    expect(effectiveStatus("pending", new Date(Date.now() + 1000))).toBe("pending");
    expect(effectiveStatus("approved", new Date(Date.now() - 1))).toBe("approved");
  });
  it("links the poll URL and the console", () => {
    const v = toView(row, "https://mandate.example");
    expect(v.poll_url).toBe(`https://mandate.example/api/v1/approvals/${row.id}`);
    expect(v.console_url).toBe(`https://mandate.example/approvals/${row.id}`);
  });
});

describe("webhook payloads", () => {
  const v = toView(row, "https://mandate.example");
  it("generic JSON carries the event, the approval and the link", () => {
    const p = webhookPayload("json", "approval.created", v);
    expect(p).toMatchObject({ event: "approval.created", approval: { id: row.id, status: "pending", tool: "files/delete_file" }, url: v.console_url });
  });
  it("Slack format has text with a link and blocks", () => {
    const p = webhookPayload("slack", "approval.decided", { ...v, status: "approved", decided_by: "ana@example.com", comment: "ok" }) as any;
    expect(p.text).toContain("Approval approved by ana@example.com: files/delete_file for agent ops-agent");
    expect(p.text).toContain(`<${v.console_url}|Open in Mandate>`);
    expect(p.blocks[0].type).toBe("section");
    expect(p.blocks[1].elements[0].text).toContain("destructive-needs-approval");
  });
});

describe("Slack payloads show agent-controlled values as text (mrkdwn injection)", () => {
  const hostile = {
    ...row,
    session_id: "<!channel> <https://evil.example/approve|Approve now> &amp; @here",
    agent_name: "ops <@U0123ABC> @channel",
    tool: "files/delete_file",
    reasons: [{ policy: "p<!everyone>", message: "see <https://evil.example|the docs> &lt;b&gt;" }],
    status: "approved",
    decided_by: "eve<!here>@example.com",
    comment: "&lt;script&gt; <!subteam^S123> @Everyone",
  };
  const v = toView(hostile, "https://mandate.example");
  // What a Slack client shows for mrkdwn text (entities decoded; no link or mention left to render).
  const shown = (s: string) => s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  const texts = (p: any): string[] => [p.text, p.blocks[0].text.text, p.blocks[1].elements[0].text];

  for (const event of ["approval.created", "approval.decided", "approval.expired"] as const) {
    it(`${event}: the console link is the only <…> token, and no special mention survives`, () => {
      const p = webhookPayload("slack", event, v) as any;
      for (const t of texts(p)) {
        const tokens = t.match(/<[^>]*>/g) ?? [];
        expect(tokens).toEqual(t === p.blocks[1].elements[0].text ? [] : [`<${v.console_url}|Open in Mandate>`]);
        expect(t).not.toMatch(/<[!@#]/);
        expect(t).not.toMatch(/@(here|channel|everyone)\b/i);
      }
    });
  }

  it("escapes & < > so that the values read back exactly (and an entity stays an entity)", () => {
    const p = webhookPayload("slack", "approval.decided", v) as any;
    const [text, , details] = texts(p);
    expect(text).toContain("session &lt;!channel&gt; &lt;https://evil.example/approve|Approve now&gt; &amp;amp; @\u2060here");
    expect(shown(text)).toContain("session <!channel> <https://evil.example/approve|Approve now> &amp; @\u2060here, step 3");
    expect(shown(text)).toContain("agent ops <@U0123ABC> @\u2060channel");
    expect(shown(text)).toContain("Approval approved by eve<!here>@example.com: files/delete_file");
    expect(shown(details)).toContain("p<!everyone>: see <https://evil.example|the docs> &lt;b&gt;");
    expect(shown(details)).toContain("*Comment:* &lt;script&gt; <!subteam^S123> @\u2060Everyone");
  });

  it("the JSON format carries the exact values (it is data, not markup)", () => {
    const p = webhookPayload("json", "approval.created", v) as any;
    expect(p.approval.session.id).toBe(hostile.session_id);
    expect(p.approval.comment).toBe(hostile.comment);
    expect(p.approval.agent.name).toBe(hostile.agent_name);
  });
});

describe("delivery back-off and waiters", () => {
  it("doubles, capped at 5 minutes", () => {
    expect([1, 2, 3, 4, 5, 20].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 300]);
  });
  it("wakes waiters of one approval, and times out otherwise", async () => {
    const w = new ApprovalWaiters();
    const t0 = Date.now();
    const a = w.wait("a", 5000);
    const b = w.wait("b", 30);
    w.wake("a");
    await Promise.all([a, b]);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(w.size).toBe(0);
  });
});
