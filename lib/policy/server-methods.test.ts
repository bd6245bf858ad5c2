/**
 * The default policy on the server-level methods (issue 15 §1): initialize on any known server unless a
 * policy forbids; the other server methods only on an approved server; sampling never with another
 * server's context. Evaluated with the real Cedar engine on the requests the decision path builds, and
 * the default policy validates against the generated schema.
 */
import { describe, expect, it } from "vitest";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { summariseServer, type ToolInfo } from "../inventory/tool-cache.ts";
import { buildMcpCall, NO_DELEGATION, type McpCedarAction } from "../decisions/mcp-request.ts";
import { emptySession } from "../sessions/session-cache.ts";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { generateMcpSchema } from "./mcp-schema.ts";
import { preparePolicy, simulate } from "./simulate.ts";
import { validatePolicySet } from "./validate.ts";

const agent: AgentPrincipal = { kind: "agent", agentId: "a", name: "a", team: null, owner: null, environment: null, keyId: "k", suspended: null };
const item = (o: Partial<ToolInfo>): ToolInfo => ({
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
const approved = summariseServer("s", [item({ labels: ["pii"] }), item({ name: "w", key: "s/w", effect: "destructive", risk: "high" })]);
const pending = summariseServer("s", [item({ status: "pending" }), item({ name: "b", key: "s/b", blocked: { at: "", reason: null } })]);

function decide(policy: string, action: McpCedarAction, server = approved, args: Record<string, unknown> = {}) {
  const call = buildMcpCall({
    action,
    agent,
    tool: server,
    args,
    session: emptySession("x"),
    delegation: NO_DELEGATION,
    approvalGranted: false,
    now: Date.now(),
  });
  return simulate(preparePolicy(policy), call);
}

describe("server-level methods under the default policy", () => {
  it("validates against the generated schema (Server has the item attributes)", () => {
    const v = validatePolicySet(DEFAULT_MCP_POLICY, generateMcpSchema([]));
    expect(v.problems).toEqual([]);
    expect(v.valid).toBe(true);
  });

  it("summarises a server from its approved, unblocked items, worst case first", () => {
    expect(approved).toMatchObject({ status: "approved", effect: "destructive", risk: "high", labels: ["pii"] });
    expect(pending).toMatchObject({ status: "pending", effect: "unknown", risk: "critical", labels: [] });
  });

  it("initialize: allowed on any known server unless a policy forbids", () => {
    expect(decide(DEFAULT_MCP_POLICY, "initialize", pending)).toMatchObject({ decision: "allow", reasons: [{ policy: "mandate.initialize" }] });
    const forbid = `${DEFAULT_MCP_POLICY}\n@id("no-s") forbid (principal, action == Action::"initialize", resource == Server::"s");`;
    expect(decide(forbid, "initialize", pending)).toMatchObject({ decision: "deny", reasons: [{ policy: "no-s" }] });
    // A forbid that errors fails closed; a permit that errors does not matter.
    const erroring = `@id("bad") forbid (principal, action, resource) when { context.args.nope == 1 };`;
    expect(decide(erroring, "initialize").decision).toBe("deny");
    expect(decide(`@id("bad") permit (principal, action, resource) when { context.args.nope == 1 };`, "initialize").decision).toBe("allow");
  });

  it("the other server methods only for an approved server", () => {
    for (const m of ["logging/setLevel", "tasks/list", "roots/list", "elicitation/create", "sampling/createMessage"] as const) {
      expect(decide(DEFAULT_MCP_POLICY, m).decision, m).toBe("allow");
      expect(decide(DEFAULT_MCP_POLICY, m, pending).decision, m).toBe("deny");
    }
  });

  it("sampling with other servers' context is denied", () => {
    expect(decide(DEFAULT_MCP_POLICY, "sampling/createMessage", approved, { includeContext: "allServers", maxTokens: 10 })).toMatchObject({
      decision: "deny",
      reasons: [{ policy: "sampling-no-other-servers-context" }],
    });
    expect(decide(DEFAULT_MCP_POLICY, "sampling/createMessage", approved, { includeContext: "thisServer", maxTokens: 10 }).decision).toBe("allow");
  });
});
