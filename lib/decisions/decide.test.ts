import { describe, expect, it } from "vitest";
import { argumentsHash, isForeignAttempt, precheck, scopeAllows, toolTarget } from "./decide.ts";
import { NO_DELEGATION } from "./mcp-request.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import type { SessionState } from "../sessions/session-cache.ts";

const agent: AgentPrincipal = { kind: "agent", agentId: "a1", name: "bot", team: null, owner: null, environment: null, suspended: null, keyId: "k" };
const tool: ToolInfo = {
  id: "t",
  kind: "tool",
  server: "files",
  name: "read_file",
  key: "files/read_file",
  status: "approved",
  effect: "read",
  risk: "low",
  labels: [],
  sensitiveArgs: [],
  blocked: null,
  inputSchema: {},
  openWorld: false,
};
const session: SessionState = {
  id: "s",
  exists: true,
  agentId: "a1",
  initiator: null,
  initiatorVerified: false,
  stepCount: 1,
  toolsUsed: [],
  labels: [],
  status: "active",
  terminatedReason: null,
  startedAt: 0,
  approvalsGranted: 0,
  observedLabels: [],
};
const req = toolTarget("files", "read_file");
const first = (r: ReturnType<typeof precheck>) => r[0]?.policy;

describe("built-in checks", () => {
  it("passes a normal call", () => expect(precheck(agent, session, tool, req, NO_DELEGATION, null)).toEqual([]));
  it("denies suspended agents, terminated and foreign sessions", () => {
    expect(first(precheck({ ...agent, suspended: { at: "x", reason: "r" } }, session, tool, req, NO_DELEGATION, null))).toBe("mandate.agent_suspended");
    expect(first(precheck(agent, { ...session, status: "terminated" }, tool, req, NO_DELEGATION, null))).toBe("mandate.session_terminated");
    expect(first(precheck(agent, { ...session, agentId: "other" }, tool, req, NO_DELEGATION, null))).toBe("mandate.session_not_owned");
  });
  it("lets another agent act in a session only under a chain from its owner", () => {
    const view = {
      ...NO_DELEGATION,
      present: true,
      depth: 2,
      chain: [
        { agent_id: "other", name: "o" },
        { agent_id: "a1", name: "bot" },
      ],
      scopes: ["tool:*/*"],
    };
    expect(precheck(agent, { ...session, agentId: "other" }, tool, req, view, null)).toEqual([]);
  });
  it("a foreign attempt: another agent's session, without a (valid) delegation from its owner", () => {
    const fromOwner = {
      ...NO_DELEGATION,
      present: true,
      depth: 1,
      chain: [
        { agent_id: "other", name: "o" },
        { agent_id: "a1", name: "bot" },
      ],
      scopes: [],
    };
    const fromSomeoneElse = {
      ...fromOwner,
      chain: [
        { agent_id: "third", name: "t" },
        { agent_id: "a1", name: "bot" },
      ],
    };
    expect(isForeignAttempt(agent, { ...session, agentId: "other" }, NO_DELEGATION)).toBe(true);
    expect(isForeignAttempt(agent, { ...session, agentId: "other" }, fromSomeoneElse)).toBe(true);
    expect(isForeignAttempt(agent, { ...session, agentId: "other" }, fromOwner)).toBe(false);
    expect(isForeignAttempt(agent, session, NO_DELEGATION)).toBe(false); // its own session
    expect(isForeignAttempt(agent, { ...session, exists: false, agentId: null }, NO_DELEGATION)).toBe(false); // opens it
    // Whatever reason comes first, a foreign attempt is always denied before policy.
    expect(precheck({ ...agent, suspended: { at: "x", reason: null } }, { ...session, agentId: "other" }, tool, req, NO_DELEGATION, null)).not.toEqual([]);
    expect(first(precheck(agent, { ...session, agentId: "other" }, tool, req, NO_DELEGATION, "expired"))).toBe("mandate.delegation_invalid");
  });
  it("denies unknown, pending, rejected and blocked tools", () => {
    expect(first(precheck(agent, session, undefined, req, NO_DELEGATION, null))).toBe("mandate.tool_unknown");
    expect(first(precheck(agent, session, { ...tool, status: "pending" }, req, NO_DELEGATION, null))).toBe("mandate.tool_not_approved");
    expect(first(precheck(agent, session, { ...tool, status: "rejected" }, req, NO_DELEGATION, null))).toBe("mandate.tool_rejected");
    expect(first(precheck(agent, session, { ...tool, blocked: { at: "x", reason: null } }, req, NO_DELEGATION, null))).toBe("mandate.tool_blocked");
  });
  it("denies tools outside delegated scopes and invalid delegations", () => {
    const view = { ...NO_DELEGATION, present: true, depth: 1, chain: [{ agent_id: "a1", name: "bot" }], scopes: ["tool:crm/*"] };
    expect(first(precheck(agent, session, tool, req, view, null))).toBe("mandate.scope_exceeded");
    expect(first(precheck(agent, session, tool, req, NO_DELEGATION, "expired"))).toBe("mandate.delegation_invalid");
  });
});

describe("scopes and argument hashes", () => {
  it("matches tool scopes with wildcards", () => {
    expect(scopeAllows(["tool:files/read_file"], "files", "read_file")).toBe(true);
    expect(scopeAllows(["tool:files/*"], "files", "write_file")).toBe(true);
    expect(scopeAllows(["tool:*/*"], "crm", "x")).toBe(true);
    expect(scopeAllows(["tool:*/read_file"], "files", "read_file")).toBe(true);
    expect(scopeAllows(["tool:crm/*", "openid"], "files", "read_file")).toBe(false);
  });
  it("hashes arguments canonically", () => {
    expect(argumentsHash({ a: 1, b: [1, 2] })).toBe(argumentsHash({ b: [1, 2], a: 1 }));
    expect(argumentsHash({ a: 1 })).not.toBe(argumentsHash({ a: 2 }));
    expect(argumentsHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});
