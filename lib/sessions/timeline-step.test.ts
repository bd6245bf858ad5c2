import { describe, expect, it } from "vitest";
import { labelsAfter, toTimelineStep, type EntryRow } from "./timeline-step.ts";

const decision = (over: Partial<EntryRow> = {}, data: Record<string, unknown> = {}): EntryRow => ({
  chain_id: "c",
  seq: 7,
  kind: "decision",
  action: "decision.allow",
  actor: "agent:support-assistant",
  step: 2,
  agent_id: "a1",
  tool: "crm/get_customer",
  outcome: "allow",
  decision_id: "d1",
  created_at: "2026-11-25T10:00:00.000Z",
  data: {
    agent: { name: "support-assistant" },
    session: { labels_before: ["untrusted_content"] },
    tool: { labels: ["pii"], risk: "medium", effect: "read" },
    arguments: { customer_id: "c-1", token: "[redacted:github_token]" },
    reasons: [{ policy: "allow-approved-low-medium", message: "ok" }],
    policy_version: "mcp@v3",
    latency_us: 420,
    ...data,
  },
  ...over,
});

describe("timeline steps", () => {
  it("adds a tool's labels only when the step was allowed", () => {
    expect(labelsAfter(["b"], "allow", ["a", "b"])).toEqual(["a", "b"]);
    expect(labelsAfter(["b"], "deny", ["a"])).toEqual(["b"]);
    expect(labelsAfter(["b"], "require_approval", ["a"])).toEqual(["b"]);
  });

  it("assembles a step: labels so far, reasons, version, latency and the outcome event", () => {
    const s = toTimelineStep(decision(), [
      {
        ...decision(),
        kind: "outcome",
        action: "outcome.error",
        outcome: "error",
        seq: 9,
        created_at: "2026-11-25T10:00:01.000Z",
        data: { status: "error", duration_ms: 1200, error: "timeout" },
      },
      { ...decision(), kind: "approval", action: "approval.approve", actor: "user:sam@example.com", seq: 8, data: { comment: "fine" } },
    ]);
    expect(s).toMatchObject({
      step: 2,
      agent: "support-assistant",
      tool: "crm/get_customer",
      outcome: "allow",
      policyVersion: "mcp@v3",
      latencyUs: 420,
      labelsBefore: ["untrusted_content"],
      labelsAfter: ["pii", "untrusted_content"],
      labelsAdded: ["pii"],
      result: { status: "error", durationMs: 1200, error: "timeout", at: "2026-11-25T10:00:01.000Z" },
    });
    expect(s.arguments).toEqual({ customer_id: "c-1", token: "[redacted:github_token]" });
    expect(s.events).toEqual([{ kind: "approval", action: "approval.approve", actor: "user:sam@example.com", at: "2026-11-25T10:00:00.000Z", note: "fine" }]);
  });

  it("shows why a later step was denied: the labels the session had before it", () => {
    const s = toTimelineStep(
      decision(
        { step: 7, tool: "mail/send_email", outcome: "deny" },
        {
          session: { labels_before: ["pii", "untrusted_content"] },
          tool: { labels: ["external_comm"] },
          reasons: [{ policy: "lethal-trifecta", message: "external communication in a session that read PII and ingested untrusted content" }],
        },
      ),
      [],
    );
    expect(s.labelsBefore).toEqual(["pii", "untrusted_content"]);
    expect(s.labelsAdded).toEqual([]);
    expect(s.reasons[0].policy).toBe("lethal-trifecta");
    expect(s.result).toBeNull();
  });

  it("adds the labels observed in the step's result, marked apart from the tool's declared ones (not taken for its result)", () => {
    const s = toTimelineStep(decision({ step: 3, tool: "files/read_file", outcome: "allow" }, { session: { labels_before: [] }, tool: { labels: [] } }), [
      { ...decision(), kind: "outcome", action: "outcome.labels_observed", outcome: "observed", seq: 10, data: { added: ["pii"] } },
      { ...decision(), kind: "outcome", action: "outcome.success", outcome: "success", seq: 11, data: { status: "success", duration_ms: 3 } },
    ]);
    expect(s).toMatchObject({ labelsAfter: ["pii"], labelsAdded: ["pii"], labelsObserved: ["pii"], result: { status: "success", durationMs: 3 } });
  });

  it("keeps the delegation chain of the step", () => {
    const s = toTimelineStep(
      decision(
        {},
        {
          delegation: {
            depth: 2,
            chain: [{ name: "support-assistant" }, { name: "research-subagent" }],
            on_behalf_of: "alice@example.com",
            scopes: ["tool:web/*"],
          },
        },
      ),
      [],
    );
    expect(s.delegation).toEqual({
      depth: 2,
      chain: [{ name: "support-assistant" }, { name: "research-subagent" }],
      onBehalfOf: "alice@example.com",
      scopes: ["tool:web/*"],
    });
  });

  it("names the method each step was for: tools/call for entries without one, the exact URI of a resource, the server of a server-level method", () => {
    expect(toTimelineStep(decision(), [])).toMatchObject({ method: "tools/call", serverLevel: false, target: "crm/get_customer" });
    const read = toTimelineStep(decision({ tool: "docs/doc://{id}" }, { method: "resources/read", arguments: { uri: "doc://7" }, tool: { labels: [] } }), []);
    expect(read).toMatchObject({ method: "resources/read", target: "docs/doc://7", tool: "docs/doc://{id}" });
    // A server-level method: its server's summarised labels did not flow, so they are not added.
    const sampling = toTimelineStep(decision({ tool: "crm" }, { method: "sampling/createMessage", arguments: { maxTokens: 5 } }), []);
    expect(sampling).toMatchObject({ method: "sampling/createMessage", serverLevel: true, target: "crm", labelsAfter: ["untrusted_content"], labelsAdded: [] });
  });

  it("shows the decision's trace id when the decision was traced, and none otherwise", () => {
    expect(toTimelineStep(decision({}, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }), []).traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(toTimelineStep(decision(), []).traceId).toBeNull();
  });
});
