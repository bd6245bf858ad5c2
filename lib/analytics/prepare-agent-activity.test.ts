import { describe, expect, it } from "vitest";
import { prepareAgentActivity } from "./prepare-agent-activity.ts";
import { dashboardWindow } from "./prepare-dashboard.ts";

const AGENT = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const now = Date.parse("2026-12-07T10:30:00Z");
const w = dashboardWindow("24h", now); // 24 hourly buckets ending 11:00

describe("prepareAgentActivity", () => {
  it("puts sessions, decisions and the deny rate in their hour, ranks the tools, and links into the audit filtered by agent", () => {
    const facts = [
      { bucket: "2026-12-07T09:00:00.000Z", outcome: "allow", tool: "crm/get_customer", agentId: AGENT, n: 6 },
      { bucket: "2026-12-07T09:00:00.000Z", outcome: "deny", tool: "mail/send_email", agentId: AGENT, n: 2 },
      { bucket: "2026-12-07T10:00:00.000Z", outcome: "require_approval", tool: "files/delete_file", agentId: AGENT, n: 1 },
      { bucket: "2026-12-07T10:00:00.000Z", outcome: "deny", tool: "mail/send_email", agentId: OTHER, n: 50 },
      { bucket: "2026-12-05T10:00:00.000Z", outcome: "deny", tool: "mail/send_email", agentId: AGENT, n: 9 }, // outside the window
    ];
    const a = prepareAgentActivity(AGENT, facts, [{ bucket: "2026-12-07T09:00:00.000Z", n: 3 }], w);
    expect(a.points).toHaveLength(24);
    const nine = a.points.find((p) => p.t === "2026-12-07T09:00:00.000Z")!;
    expect(nine).toMatchObject({ label: "09:00", sessions: 3, decisions: 8, denies: 2, denyRate: 25 });
    expect(a.points.find((p) => p.t === "2026-12-07T10:00:00.000Z")).toMatchObject({ decisions: 1, denies: 0, denyRate: 0 });
    expect(a.points.find((p) => p.t === "2026-12-07T08:00:00.000Z")!.denyRate).toBeNull();
    expect(a.totals).toEqual({ sessions: 3, decisions: 9, denies: 2, denyRate: 2 / 9 });
    expect(a.tools.map((t) => [t.tool, t.calls, t.denies, t.approvals])).toEqual([
      ["crm/get_customer", 6, 0, 0],
      ["mail/send_email", 2, 2, 0],
      ["files/delete_file", 1, 0, 1],
    ]);
    const send = new URL(a.tools[1].deniesHref, "http://x");
    expect(send.pathname).toBe("/audit");
    expect(Object.fromEntries(send.searchParams)).toMatchObject({ agent: AGENT, tool: "mail/send_email", outcome: "deny", kind: "decision" });
    expect(new URL(a.links.audit, "http://x").searchParams.get("agent")).toBe(AGENT);
    expect(new URL(a.links.sessions, "http://x").pathname).toBe("/sessions");
    expect(new URL(a.links.sessions, "http://x").searchParams.get("agent")).toBe(AGENT);
  });

  it("is all zeros without activity", () => {
    const a = prepareAgentActivity(AGENT, [], [], w);
    expect(a.totals).toEqual({ sessions: 0, decisions: 0, denies: 0, denyRate: 0 });
    expect(a.tools).toEqual([]);
  });
});
