import { describe, expect, it } from "vitest";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { parsePolicySet } from "./policy-set.ts";
import { contextUsage, pruneContext, usageKey } from "./context-usage.ts";

describe("contextUsage", () => {
  it("finds the context parts the default policy reads", () => {
    const p = parsePolicySet(DEFAULT_MCP_POLICY).policies.map((x) => x.text);
    expect(contextUsage(p)).toEqual({
      all: false,
      paths: ["approval.granted", "args.includeContext", "counters.agent", "counters.session", "delegation.depth", "session.labels"],
    });
  });
  it("records has-checks, bracket access and argument names", () => {
    const u = contextUsage([
      `permit(principal, action, resource) when { context.args has path && context.args.path like "/tmp/*" && context["time"].hourUtc < 18 };`,
    ]);
    expect(u).toEqual({ all: false, paths: ["args.path", "time.hourUtc"] });
  });
  it("any other use of context means everything", () => {
    expect(contextUsage([`permit(principal, action, resource) when { context == {} };`]).all).toBe(true);
  });
  it("keys differ exactly when a used part differs", () => {
    const u = { all: false, paths: ["args.path", "session.labels"] };
    const a = usageKey(u, { args: { path: "a", other: 1 }, session: { labels: ["pii"], steps: 1 } });
    expect(usageKey(u, { args: { path: "a", other: 2 }, session: { labels: ["pii"], steps: 9 } })).toBe(a);
    expect(usageKey(u, { args: { path: "b" }, session: { labels: ["pii"] } })).not.toBe(a);
  });
});

describe("pruneContext", () => {
  it("keeps only the parts read (and approval), leaving absent parts absent", () => {
    const ctx = { args: { path: "a", other: 1 }, session: { labels: ["x"], steps: 3 }, time: { hourUtc: 1 }, approval: { granted: false } };
    expect(pruneContext({ all: false, paths: ["args.path", "args.url", "session.labels"] }, ctx)).toEqual({
      approval: { granted: false },
      args: { path: "a" },
      session: { labels: ["x"] },
    });
    expect(pruneContext({ all: true, paths: [] }, ctx)).toBe(ctx);
  });
});
