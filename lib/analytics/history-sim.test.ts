import { describe, expect, it } from "vitest";
import { seededRandom, simulateDecision, stepCounts, type SimTool } from "./history-sim.ts";

const tool = (over: Partial<SimTool> = {}): SimTool => ({ key: "x/y", status: "approved", effect: "read", risk: "low", labels: [], blocked: false, ...over });
const ctx = (t: SimTool | undefined, over: Record<string, unknown> = {}) => ({
  tool: t,
  toolKey: t?.key ?? "shell/exec",
  sessionLabels: [],
  scopes: null,
  approvalGranted: false,
  ...over,
});

describe("history generator", () => {
  it("splits decisions exactly, with one long session", () => {
    const c = stepCounts(seededRandom(1), 1000, 200_000, 10_000);
    expect(c).toHaveLength(1000);
    expect(c[0]).toBe(10_000);
    expect(c.reduce((s, x) => s + x, 0)).toBe(200_000);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(1);
    const small = stepCounts(seededRandom(1), 10, 5, 10_000);
    expect(small.every((x) => x >= 1)).toBe(true);
  });

  it("emulates the default policy and built-in checks", () => {
    expect(simulateDecision(ctx(undefined)).reasons[0].policy).toBe("mandate.tool_unknown");
    expect(simulateDecision(ctx(tool({ status: "pending" }))).reasons[0].policy).toBe("mandate.tool_not_approved");
    expect(
      simulateDecision(ctx(tool({ key: "mail/send_email", labels: ["external_comm"] }), { sessionLabels: ["pii", "untrusted_content"] })).reasons[0].policy,
    ).toBe("lethal-trifecta");
    expect(simulateDecision(ctx(tool({ effect: "destructive", risk: "high" }))).outcome).toBe("require_approval");
    expect(simulateDecision(ctx(tool({ effect: "destructive", risk: "high" }), { approvalGranted: true })).outcome).toBe("allow");
    expect(simulateDecision(ctx(tool({ key: "mail/send_email" }), { scopes: ["tool:web/*"] })).reasons[0].policy).toBe("mandate.scope_exceeded");
    expect(simulateDecision(ctx(tool({ key: "web/fetch_url" }), { scopes: ["tool:web/*"] })).outcome).toBe("allow");
    expect(simulateDecision(ctx(tool({ risk: "high" }))).reasons[0].policy).toBe("mandate.default_deny");
  });

  it("is reproducible from its seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
