import { describe, expect, it } from "vitest";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { DEFAULT_MCP_POLICY } from "./default-policy.ts";
import { interpret } from "./interpret.ts";
import { argumentAttributes, generateMcpSchema } from "./mcp-schema.ts";
import { lineColumn, parsePolicySet, toStaticPolicies } from "./policy-set.ts";
import { validatePolicySet } from "./validate.ts";
import { toCedarValue } from "./cedar-values.ts";
import { ZERO_COUNTERS } from "../decisions/mcp-request.ts";

const tools = [
  { inputSchema: { type: "object", properties: { path: { type: "string" }, max_bytes: { type: "integer" } } } },
  {
    inputSchema: {
      type: "object",
      properties: { path: { type: "string" }, recursive: { type: "boolean" }, tags: { type: "array", items: { type: "string" } } },
    },
  },
  { inputSchema: { type: "object", properties: { limit: { type: "integer" }, ratio: { type: "number" }, opts: { type: "object" } } } },
  { inputSchema: { type: "object", properties: { limit: { type: "string" }, "bad-name": { type: "string" } } } },
];

describe("policy-set parsing", () => {
  it("names policies by @id and keeps their annotations and offsets", () => {
    const p = parsePolicySet(DEFAULT_MCP_POLICY);
    expect(p.ok).toBe(true);
    expect(p.policies.map((x) => x.id)).toEqual([
      "allow-approved-low-medium",
      "allow-destructive-when-approved",
      "destructive-needs-approval",
      "lethal-trifecta",
      "delegation-depth-cap",
      "loop",
      "rate",
      "allow-approved-server-methods",
      "sampling-no-other-servers-context",
    ]);
    const gate = p.policies.find((x) => x.id === "destructive-needs-approval")!;
    expect(gate.annotations.approval).toBe("required");
    expect(gate.effect).toBe("forbid");
    expect(DEFAULT_MCP_POLICY.slice(gate.offset, gate.offset + gate.text.length)).toBe(gate.text);
  });

  it("rejects duplicate ids and reports syntax errors at their line", () => {
    const dup = parsePolicySet(`@id("a")\npermit(principal, action, resource);\n@id("a")\nforbid(principal, action, resource);`);
    expect(dup.ok).toBe(false);
    expect(dup.problems[0]).toMatchObject({ line: 3, message: expect.stringContaining("Duplicate @id") });
    const syntax = parsePolicySet(`permit(principal, action, resource);\n\nforbid(principal, action resource);`);
    expect(syntax.ok).toBe(false);
    expect(syntax.problems[0].line).toBe(3);
  });

  it("computes 1-based line and column", () => {
    expect(lineColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});

describe("generated MCP schema", () => {
  it("declares argument names with one consistent Cedar type and leaves out the rest", () => {
    const attrs = argumentAttributes(tools);
    expect(Object.keys(attrs)).toEqual(["max_bytes", "path", "recursive", "tags"]);
    expect(attrs.path).toMatchObject({ type: "String", required: false });
    expect(attrs.tags).toMatchObject({ type: "Set" });
  });

  it("validates the default policy, and reports a type error at its line", () => {
    const schema = generateMcpSchema(tools);
    expect(validatePolicySet(DEFAULT_MCP_POLICY, schema).valid).toBe(true);
    const bad = `@id("ok")\npermit(principal, action, resource);\n\n@id("typo")\nforbid(principal, action, resource)\nwhen { resource.riskLevel == "high" };`;
    const v = validatePolicySet(bad, schema);
    expect(v.valid).toBe(false);
    expect(v.problems[0]).toMatchObject({ policyId: "typo", line: 6 });
    const unknownArg = validatePolicySet(`permit(principal, action, resource) when { context.args.nope == "x" };`, schema);
    expect(unknownArg.valid).toBe(false);
  });
});

describe("Cedar values", () => {
  it("keeps integers, turns other numbers into strings and drops nulls", () => {
    expect(toCedarValue({ a: 1, b: 1.5, c: null, d: [1, null, "x"], e: { f: true } })).toEqual({ a: 1, b: "1.5", d: [1, "x"], e: { f: true } });
    expect(toCedarValue({ __entity: { type: "X", id: "y" }, ok: 1 })).toEqual({ ok: 1 });
    expect(toCedarValue(2 ** 60)).toBe(String(2 ** 60));
  });
});

describe("interpreting Cedar answers", () => {
  const parsed = parsePolicySet(DEFAULT_MCP_POLICY);
  const byId = new Map(parsed.policies.map((p) => [p.id, p]));
  cedar.preparsePolicySet("t1", { staticPolicies: toStaticPolicies(parsed.policies) });
  const ask = (toolAttrs: Record<string, unknown>, context: Record<string, unknown> = {}) =>
    interpret(
      cedar.statefulIsAuthorized({
        principal: { type: "Agent", id: "a" },
        action: { type: "Action", id: "tools/call" },
        resource: { type: "Tool", id: "t" },
        context: { session: { labels: [] }, delegation: { depth: 0 }, approval: { granted: false }, counters: ZERO_COUNTERS as never, ...context },
        entities: [{ uid: { type: "Tool", id: "t" }, attrs: { status: "approved", riskLevel: 0, effect: "read", labels: [], ...toolAttrs }, parents: [] }],
        preparsedPolicySetId: "t1",
      }),
      byId,
    );

  it("names the permitting policy of an allow", () => {
    expect(ask({})).toMatchObject({ decision: "allow", reasons: [{ policy: "allow-approved-low-medium" }] });
  });
  it("marks a deny caused only by an approval gate", () => {
    const r = ask({ effect: "destructive", riskLevel: 2 });
    expect(r).toMatchObject({ decision: "deny", gatedOnly: true, reasons: [{ policy: "destructive-needs-approval" }] });
  });
  it("explains a default deny", () => {
    expect(ask({ riskLevel: 3 })).toMatchObject({ decision: "deny", reasons: [{ policy: "mandate.default_deny" }] });
  });
  it("fails closed when a policy errors (missing attribute)", () => {
    // A tool without `labels` makes the trifecta forbid error: the error is visible and the request denied.
    const noLabels = interpret(
      cedar.statefulIsAuthorized({
        principal: { type: "Agent", id: "a" },
        action: { type: "Action", id: "tools/call" },
        resource: { type: "Tool", id: "t" },
        context: { session: { labels: [] }, delegation: { depth: 0 }, approval: { granted: false } },
        entities: [{ uid: { type: "Tool", id: "t" }, attrs: { status: "approved", riskLevel: 0, effect: "read" }, parents: [] }],
        preparsedPolicySetId: "t1",
      }),
      byId,
    );
    expect(noLabels.decision).toBe("deny");
    expect(noLabels.errors.map((e) => e.policy)).toContain("lethal-trifecta");
    expect(noLabels.reasons[0].policy).toBe("mandate.policy_error");
  });
});
