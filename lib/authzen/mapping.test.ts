import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { mapEvaluation } from "./mapping.ts";
import { memorySource } from "./pack.ts";
import { describeSchema, resolveType, type StoreInfo } from "./stores.ts";

const schema = `namespace Docs {
  entity Group;
  entity User in [Group] = { dept?: String, level?: Long };
  entity Doc = { owner?: String, status?: String };
  action read, write in [edit] appliesTo { principal: User, resource: Doc };
  action edit;
}`;
const store: StoreInfo = { id: "docs", name: "Docs", kind: "generic", ...describeSchema(schema) };
const entities = [
  { type: "Docs::User", id: "alice", attrs: { dept: "sales", level: 2 }, parents: [{ type: "Docs::Group", id: "staff" }] },
  { type: "Docs::Group", id: "staff", attrs: {}, parents: [{ type: "Docs::Group", id: "everyone" }] },
  { type: "Docs::Group", id: "everyone", attrs: {}, parents: [] },
];
const dir = memorySource(entities);

function decide(policy: string, call: Awaited<ReturnType<typeof mapEvaluation>>["call"]) {
  const a = cedar.isAuthorized({ ...call, policies: { staticPolicies: { p: policy } } });
  if (a.type !== "success") throw new Error(JSON.stringify(a.errors));
  return a.response.decision;
}

describe("describeSchema / resolveType", () => {
  it("reads namespaced types and actions with their groups", () => {
    expect(store.actionType).toBe("Docs::Action");
    expect(resolveType(store, "User")).toBe("Docs::User");
    expect(resolveType(store, "Other")).toBe("Other");
    expect(store.actions.find((a) => a.name === "write")).toEqual({
      name: "write",
      principalTypes: ["Docs::User"],
      resourceTypes: ["Docs::Doc"],
      memberOf: [{ type: "Docs::Action", id: "edit" }],
    });
  });
});

describe("mapEvaluation", () => {
  it("takes attributes and ancestors from the directory, and PEP properties over them", async () => {
    const m = await mapEvaluation(
      store,
      {
        subject: { type: "User", id: "alice", properties: { level: 5 } },
        action: { name: "read" },
        resource: { type: "Doc", id: "d1", properties: { status: "draft", ratio: 0.5 } },
      },
      dir,
    );
    expect(m.principal).toEqual({ type: "Docs::User", id: "alice" });
    expect(m.known).toEqual({ subject: true, resource: false });
    const alice = m.call.entities.find((e) => (e.uid as { id: string }).id === "alice")!;
    expect(alice.attrs).toEqual({ dept: "sales", level: 5 });
    const doc = m.call.entities.find((e) => (e.uid as { id: string }).id === "d1")!;
    expect(doc.attrs).toEqual({ status: "draft", ratio: "0.5" });
    expect(decide('permit (principal in Docs::Group::"everyone", action, resource) when { principal.level > 4 && resource.status == "draft" };', m.call)).toBe(
      "allow",
    );
  });

  it("puts action properties in context.action and makes action groups work", async () => {
    const m = await mapEvaluation(
      store,
      {
        subject: { type: "User", id: "bob" },
        action: { name: "write", properties: { soft: true } },
        resource: { type: "Doc", id: "d1" },
        context: { ip: "10.0.0.1" },
      },
      dir,
    );
    expect(m.call.context).toEqual({ ip: "10.0.0.1", action: { soft: true } });
    expect(m.known.subject).toBe(false);
    expect(decide('permit (principal, action in Docs::Action::"edit", resource) when { context.action.soft };', m.call)).toBe("allow");
  });

  it("merges a subject that is also the resource into one entity", async () => {
    const m = await mapEvaluation(
      store,
      { subject: { type: "User", id: "alice" }, action: { name: "read" }, resource: { type: "User", id: "alice", properties: { dept: "ops" } } },
      dir,
    );
    expect(m.call.entities.filter((e) => (e.uid as { id: string }).id === "alice")).toHaveLength(1);
  });
});
