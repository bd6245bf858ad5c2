import { describe, expect, it } from "vitest";
import { policyTestCase } from "./tests.ts";
import type { RecordedDecision } from "./replay-request.ts";
import { caseFromDecision } from "./test-from-decision.ts";

const recorded: RecordedDecision = {
  decision_id: "0b7c1c2e-5d7e-4f3a-9a51-3f0f1e2d3c4b",
  created_at: new Date("2026-12-06T10:00:30.000Z"),
  session_id: "sess-1",
  step: 4,
  agent_id: "a1",
  agent_name: "mailer",
  tool: "mail/send_email",
  outcome: "deny",
  tool_info: { server: "mail", name: "send_email", status: "approved", effect: "external_send", risk: "high", labels: ["external"] },
  args: { to: "x@evil.test", body: "[REDACTED:email]" },
  redactions: [{ path: "/body" }],
  session: { labels_before: ["pii"], initiator: "alice@corp.test", initiator_verified: true },
  delegation: { depth: 1, chain: [{ agent_id: "a0", name: "planner" }], on_behalf_of: "alice@corp.test", scopes: ["mail:send"] },
  first_reason: null,
  approval_status: null,
  method: "tools/call",
};

describe("caseFromDecision", () => {
  it("holds the recorded request and outcome, and is a valid stored test case", () => {
    const r = caseFromDecision(recorded, { toolsUsed: ["crm/read"], sessionStart: new Date("2026-12-06T10:00:00.000Z") });
    if (!r.ok) throw new Error(r.reason);
    expect(r.testCase).toEqual({
      name: "deny mail/send_email (decision 0b7c1c2e)",
      agent: "mailer",
      tool: "mail/send_email",
      tool_attributes: { status: "approved", effect: "external_send", risk: "high", labels: ["external"] },
      action: "tools/call",
      arguments: { to: "x@evil.test", body: "[REDACTED:email]" },
      session: { labels: ["pii"], tools_used: ["crm/read"], steps: 3, initiator: "alice@corp.test", age_seconds: 30 },
      delegation: { chain: ["planner"], on_behalf_of: "alice@corp.test", scopes: ["mail:send"] },
      time: "2026-12-06T10:00:30.000Z",
      expect: "deny",
    });
    expect(policyTestCase.safeParse(r.testCase).success).toBe(true);
    expect(r.notes.join(" ")).toMatch(/redacted.*\/body/);
  });

  it("says when the session's start is unknown, and leaves out an absent delegation", () => {
    const r = caseFromDecision(
      { ...recorded, delegation: null, redactions: null, step: 1, outcome: "require_approval" },
      { toolsUsed: [], sessionStart: null },
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.testCase.delegation).toBeUndefined();
    expect(r.testCase.session).toMatchObject({ steps: 0, age_seconds: 0 });
    expect(r.testCase.expect).toBe("require_approval");
    expect(r.notes.join(" ")).toMatch(/start is not known/);
    expect(r.notes.join(" ")).not.toMatch(/redacted/);
    expect(policyTestCase.safeParse(r.testCase).success).toBe(true);
  });

  it("refuses what a test case cannot describe: other methods, foreign attempts", () => {
    expect(caseFromDecision({ ...recorded, method: "resources/read" }, { toolsUsed: [], sessionStart: null })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/resources\/read/),
    });
    expect(caseFromDecision({ ...recorded, step: null }, { toolsUsed: [], sessionStart: null })).toMatchObject({ ok: false });
    expect(caseFromDecision({ ...recorded, tool_info: null }, { toolsUsed: [], sessionStart: null })).toMatchObject({ ok: false });
  });
});
