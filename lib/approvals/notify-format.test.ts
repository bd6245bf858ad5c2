import { describe, expect, it } from "vitest";
import { backoffSeconds } from "./deliveries.ts";
import { webhookPayload } from "./notify-format.ts";
import { effectiveStatus, toView } from "./view.ts";
import { ApprovalWaiters } from "./waiters.ts";

const row = {
  id: "11111111-2222-3333-4444-555555555555", decision_id: "d", session_id: "s-1", step: 3, agent_id: "a", agent_name: "ops-agent",
  tool: "files/delete_file", args_hash: "ab", reasons: [{ policy: "destructive-needs-approval", message: "destructive tools need a human approval" }],
  status: "pending", expires_at: new Date(Date.now() + 60_000), created_at: new Date(), decided_by: null, decided_at: null, comment: null,
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
