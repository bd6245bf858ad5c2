import { describe, expect, it } from "vitest";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { whoCanCall } from "./who-can-call.ts";

const agent = (name: string, team: string | null = "support", suspended = false): AgentPrincipal => ({
  kind: "agent",
  agentId: name,
  name,
  team,
  owner: null,
  environment: null,
  keyId: "k",
  suspended: suspended ? { at: "", reason: "x" } : null,
});
const tool = (o: Partial<ToolInfo>): ToolInfo => ({
  id: "t",
  kind: "tool",
  server: "s",
  name: "n",
  key: "s/n",
  status: "approved",
  effect: "read",
  risk: "low",
  labels: [],
  sensitiveArgs: [],
  blocked: null,
  inputSchema: {},
  openWorld: false,
  ...o,
});

describe("whoCanCall", () => {
  const simple = `@id("p") permit (principal, action, resource) when { resource.riskLevel <= 1 };`;
  it("is a plain yes or no only when nothing unknown matters", () => {
    const [a, b] = whoCanCall(simple, [agent("a"), agent("b", null, true)], tool({}));
    expect(a.verdict).toBe("allowed");
    expect(a.reasons[0].policy).toBe("p");
    expect(b.verdict).toBe("denied");
    expect(whoCanCall(simple, [agent("a")], tool({ risk: "high" }))[0].verdict).toBe("denied");
  });

  it("is conditional when the answer depends on arguments or session state, naming the condition", () => {
    const text = `@id("p") permit (principal, action, resource);
@id("no-etc") @reason("no /etc") forbid (principal, action, resource) when { context.args has path && context.args.path like "/etc/*" };`;
    const [a] = whoCanCall(text, [agent("a")], tool({}));
    expect(a.verdict).toBe("conditional");
    expect(a.conditions).toEqual([{ policy: "no-etc", effect: "forbid", message: "no /etc", dependsOn: ["arguments"] }]);
  });

  it("the default policy: approval for destructive tools, conditional on the session for external communication", () => {
    const destructive = whoCanCall(DEFAULT_MCP_POLICY, [agent("a")], tool({ effect: "destructive", risk: "high" }))[0];
    expect(destructive.approvalGated || destructive.verdict === "approval").toBe(true);
    const mail = whoCanCall(DEFAULT_MCP_POLICY, [agent("a")], tool({ effect: "side_effect", risk: "medium", labels: ["external_comm"] }))[0];
    expect(mail.verdict).toBe("conditional");
    expect(mail.conditions.find((c) => c.policy === "lethal-trifecta")?.dependsOn).toEqual(["session state"]);
    expect(mail.conditions.find((c) => c.policy === "delegation-depth-cap")?.dependsOn).toEqual(["delegation"]);
  });
});
