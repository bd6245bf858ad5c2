import { describe, expect, it } from "vitest";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { agentNamed } from "./directory.ts";
import { overlaps, rebuildRequest, type RecordedDecision } from "./replay-request.ts";
import { SessionTracker } from "./replay-sessions.ts";
import { preparePolicy, simulate, simulatePartial } from "./simulate.ts";

const row = (o: Partial<RecordedDecision> = {}): RecordedDecision => ({
  decision_id: "d1",
  created_at: new Date("2026-06-01T10:00:00Z"),
  session_id: "s1",
  step: 3,
  agent_id: null,
  agent_name: "a",
  tool: "files/write_file",
  outcome: "allow",
  tool_info: { server: "files", name: "write_file", status: "approved", effect: "write", risk: "medium", labels: [] },
  args: { path: "n.txt", content: "x [REDACTED:github_token]" },
  redactions: [{ path: "/content" }],
  session: { labels_before: ["pii"], initiator: null, initiator_verified: false },
  delegation: null,
  first_reason: null,
  approval_status: null,
  ...o,
});
const inputs = {
  agent: agentNamed("a"),
  openWorld: false,
  retained: undefined,
  toolsUsed: ["web/fetch_url"],
  sessionStart: Date.parse("2026-06-01T09:00:00Z"),
};
const DRAFT = `${DEFAULT_MCP_POLICY}\n@id("no-marker") forbid (principal, action, resource) when { context.args has content && context.args.content like "*marker*" };`;

describe("rebuildRequest", () => {
  it("marks redacted arguments unknown unless their real values were retained", () => {
    const r = rebuildRequest(row(), inputs);
    expect(r.unknowns).toEqual(["args.content"]);
    const ctx = r.withUnknowns().context as { args: Record<string, unknown>; session: Record<string, unknown> };
    expect(ctx.args.content).toEqual({ __extn: { fn: "unknown", arg: "args" } });
    expect(ctx.session.steps).toBe(2);
    expect(ctx.session.ageSeconds).toBe(3600);
    const kept = rebuildRequest(row(), { ...inputs, retained: { path: "n.txt", content: "marker" } });
    expect(kept.unknowns).toEqual([]);
    expect((kept.call.context as { args: Record<string, unknown> }).args.content).toBe("marker");
  });
  it("is undeterminable exactly when the draft reads the unknown value", () => {
    const p = preparePolicy(DRAFT);
    expect(simulatePartial(p, rebuildRequest(row(), inputs).withUnknowns()).decision).toBe("undeterminable");
    expect(simulate(p, rebuildRequest(row(), { ...inputs, retained: { content: "has marker" } }).call).decision).toBe("deny");
    const other = row({
      tool: "files/read_file",
      tool_info: { server: "files", name: "read_file", status: "approved", effect: "read", risk: "low" },
      args: { path: "a" },
      redactions: [{ path: "/token" }],
    });
    expect(simulatePartial(p, rebuildRequest(other, inputs).withUnknowns()).decision).toBe("allow");
  });
  it("unknown session parts when the session began before the window", () => {
    expect(rebuildRequest(row({ redactions: [] }), { ...inputs, toolsUsed: null, sessionStart: null }).unknowns).toEqual([
      "session.toolsUsed",
      "session.ageSeconds",
    ]);
    expect(overlaps("session.toolsUsed", "session.toolsUsed")).toBe(true);
    expect(overlaps("args", "args.content")).toBe(true);
    expect(overlaps("session.labels", "session.toolsUsed")).toBe(false);
  });
});

describe("SessionTracker", () => {
  it("knows the tools used only for sessions replayed from their first step, in order", () => {
    const t = new SessionTracker();
    const d = (step: number, tool: string, outcome = "allow") => ({ session_id: "s", step, tool, outcome });
    expect(t.before(d(1, "a"))).toEqual([]);
    t.record(d(1, "a"));
    t.record(d(2, "b", "deny"));
    expect(t.before(d(3, "c"))).toEqual(["a"]);
    t.record(d(3, "c"));
    expect(t.before(d(5, "x"))).toBeNull();
    expect(t.before({ session_id: "other", step: 7 })).toBeNull();
  });
});
