import { describe, expect, it } from "vitest";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { policyTestSuite, runPolicyTests, formatTestResults } from "./tests.ts";

const tool = (key: string, o: Partial<ToolInfo>): ToolInfo => {
  const [server, name] = key.split("/");
  return {
    id: key,
    kind: "tool",
    server,
    name,
    key,
    status: "approved",
    effect: "read",
    risk: "low",
    labels: [],
    sensitiveArgs: [],
    blocked: null,
    inputSchema: {},
    openWorld: false,
    ...o,
  };
};
const env = {
  tools: new Map([
    ["crm/get_customer", tool("crm/get_customer", { labels: ["pii"] })],
    ["mail/send_email", tool("mail/send_email", { effect: "side_effect", risk: "medium", labels: ["external_comm"] })],
    ["files/delete_file", tool("files/delete_file", { effect: "destructive", risk: "high" })],
    ["crm/export_customers", tool("crm/export_customers", { status: "pending" })],
  ]),
  agents: new Map(),
};

describe("policy tests", () => {
  const cases = policyTestSuite.parse([
    { name: "read pii", agent: "a", tool: "crm/get_customer", expect: "allow" },
    { name: "trifecta", agent: "a", tool: "mail/send_email", session: { labels: ["pii", "untrusted_content"] }, expect: "deny" },
    { name: "delete needs approval", agent: "a", tool: "files/delete_file", expect: "require_approval" },
    { name: "pending tool", agent: "a", tool: "crm/export_customers", expect: "deny" },
    { name: "deep delegation", agent: "a", tool: "crm/get_customer", delegation: { chain: ["x", "y", "z", "a"] }, expect: "deny" },
    { name: "wrong expectation", agent: "a", tool: "crm/get_customer", expect: "deny" },
    { name: "unknown tool", agent: "a", tool: "x/y", expect: "deny" },
    { name: "described tool", agent: "a", tool: "x/y", tool_attributes: { effect: "read", risk: "low" }, expect: "allow" },
  ]);
  it("runs each case with the decision path's semantics", () => {
    const r = runPolicyTests(DEFAULT_MCP_POLICY, cases, env);
    expect(r.map((x) => [x.name, x.actual, x.pass])).toEqual([
      ["read pii", "allow", true],
      ["trifecta", "deny", true],
      ["delete needs approval", "require_approval", true],
      ["pending tool", "deny", true],
      ["deep delegation", "deny", true],
      ["wrong expectation", "allow", false],
      ["unknown tool", "error", false],
      ["described tool", "allow", true],
    ]);
    expect(r[1].reasons[0].policy).toBe("lethal-trifecta");
    expect(formatTestResults(r)).toMatch(/6 passed, 2 failed$/);
  });
  it("rejects malformed cases with the failing field", () => {
    const bad = policyTestSuite.safeParse([{ name: "x", agent: "a", tool: "no-slash", expect: "allow" }]);
    expect(bad.success).toBe(false);
  });
});
