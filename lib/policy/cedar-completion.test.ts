import { describe, expect, it } from "vitest";
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { cedarCompletions, completionModel, type CompletionModel } from "./cedar-completion.ts";
import { generateMcpSchema } from "./mcp-schema.ts";

const mcp = completionModel(
  generateMcpSchema([
    { inputSchema: { properties: { to: { type: "string" }, cc: { type: "array", items: { type: "string" } }, limit: { type: "integer" } } } },
  ]),
);
const labels = (model: CompletionModel, before: string) => cedarCompletions(model, before)?.options.map((o) => o.label) ?? null;

describe("completionModel (the MCP store's generated schema)", () => {
  it("lists the entity types and the actions", () => {
    expect(mcp.entityTypes).toEqual(["Agent", "Prompt", "Resource", "Server", "Team", "Tool"]);
    expect(mcp.actions).toContain("tools/call");
    expect(mcp.actions).toContain("resources/read");
    expect(mcp.actionType).toBe("Action");
  });

  it("gives principal the Agent's attributes, resource the items', context its records", () => {
    expect(Object.keys(mcp.roots.principal).sort()).toEqual(["environment", "name", "owner", "team"]);
    expect(mcp.roots.resource.riskLevel).toEqual({ type: "Long", required: true });
    expect(mcp.roots.resource.labels.type).toBe("Set<String>");
    expect(Object.keys(mcp.roots.context)).toEqual(expect.arrayContaining(["args", "session", "delegation", "approval", "time", "counters"]));
    expect(mcp.roots.context.args.attributes!.to).toEqual({ type: "String", required: false });
    expect(mcp.roots.context.args.attributes!.cc.type).toBe("Set<String>");
  });
});

describe("cedarCompletions", () => {
  it("completes attributes after principal., resource. and context. (and deeper records)", () => {
    expect(labels(mcp, "permit(principal, action, resource) when { principal.")).toEqual(["environment", "name", "owner", "team"]);
    expect(labels(mcp, "when { resource.")).toContain("riskLevel");
    expect(labels(mcp, "when { context.")).toEqual(["approval", "args", "counters", "delegation", "session", "time"]);
    expect(labels(mcp, "when { context.session.")).toContain("labels");
    expect(labels(mcp, "when { context.counters.agent.")).toEqual(["hour", "minute", "toolMinute"]);
    expect(labels(mcp, "when { context.args.")).toEqual(expect.arrayContaining(["cc", "limit", "to", "uri"]));
  });

  it("replaces the word being typed: from is where it starts", () => {
    const before = "when { context.sess";
    const a = cedarCompletions(mcp, before)!;
    expect(a.from).toBe(before.length - "sess".length);
    expect(a.options.map((o) => o.label)).toContain("session");
  });

  it("marks optional attributes (test with has) and completes after has", () => {
    const to = cedarCompletions(mcp, "context.args.")!.options.find((o) => o.label === "to")!;
    expect(to.detail).toMatch(/optional/);
    expect(labels(mcp, "when { context.args has ")).toContain("to");
    expect(labels(mcp, "when { context.delegation has ")).toContain("remainingCalls");
  });

  it("offers nothing after an attribute that is not a record, or an unknown one", () => {
    expect(labels(mcp, "when { resource.riskLevel.")).toBeNull();
    expect(labels(mcp, "when { context.nosuch.")).toBeNull();
  });

  it('completes action names inside Action::"…"', () => {
    const before = 'permit(principal, action == Action::"tools/c';
    const a = cedarCompletions(mcp, before)!;
    expect(a.options.map((o) => o.label)).toContain("tools/call");
    expect(a.from).toBe(before.length - "tools/c".length);
    expect(labels(mcp, 'action in [Action::"')).toEqual(mcp.actions);
  });

  it("completes entity types after is, and types, variables and keywords while a word is typed", () => {
    expect(labels(mcp, "permit(principal is ")).toEqual(mcp.entityTypes);
    expect(labels(mcp, "permit(principal is Ag")).toEqual(mcp.entityTypes);
    const t = cedarCompletions(mcp, "resource in Se")!.options;
    expect(t.find((o) => o.label === "Server")).toMatchObject({ kind: "type", apply: 'Server::"' });
    expect(labels(mcp, "permit(pr")).toEqual(["principal", "Prompt"]);
    expect(labels(mcp, "fo")).toEqual(["forbid"]);
    expect(labels(mcp, "when { ")).toBeNull();
    expect(cedarCompletions(mcp, "when { ", true)!.options.length).toBeGreaterThan(10);
  });

  it("stays out of strings (other than an action's) and comments", () => {
    expect(labels(mcp, 'when { resource.name == "princ')).toBeNull();
    expect(labels(mcp, 'when { resource == Tool::"mail/')).toBeNull();
    expect(labels(mcp, "// context.")).toBeNull();
    expect(labels(mcp, '// a "quote\nwhen { context.')).toContain("session");
    expect(labels(mcp, 'x == "a \\" context.')).toBeNull();
  });

  it("reads a namespaced schema with common types", () => {
    const schema = {
      Shop: {
        commonTypes: { Ctx: { type: "Record", attributes: { ip: { type: "Extension", name: "ipaddr" } } } },
        entityTypes: { User: { shape: { type: "Record", attributes: { dept: { type: "String" }, boss: { type: "Entity", name: "User" } } } }, Order: {} },
        actions: { buy: { appliesTo: { principalTypes: ["User"], resourceTypes: ["Order"], context: { type: "EntityOrCommon", name: "Ctx" } } } },
      },
    } as unknown as cedar.SchemaJson<string>;
    const m = completionModel(schema);
    expect(m.entityTypes).toEqual(["Shop::Order", "Shop::User"]);
    expect(m.actionType).toBe("Shop::Action");
    expect(m.roots.principal.boss.type).toBe("Shop::User");
    expect(labels(m, "context.")).toEqual(["ip"]);
    expect(labels(m, 'action == Shop::Action::"')).toEqual(["buy"]);
    expect(labels(m, 'action == Action::"')).toBeNull();
  });
});
