import { describe, expect, it } from "vitest";
import { covers, narrowScopes, parseScope, scopesAllowTool, splitScopeParam } from "./scopes.ts";
import { scopeAllows } from "../decisions/decide.ts";

describe("parseScope", () => {
  it("accepts tool:<server>/<name> with * for either part", () => {
    expect(parseScope("tool:crm/get_customer")).toEqual({ kind: "tool", server: "crm", name: "get_customer" });
    expect(parseScope("tool:crm/*")).toEqual({ kind: "tool", server: "crm", name: "*" });
    expect(parseScope("tool:*/*")).toEqual({ kind: "tool", server: "*", name: "*" });
    expect(parseScope("tool:files/dir/read")).toEqual({ kind: "tool", server: "files", name: "dir/read" });
  });
  it("accepts resource:<server>/<uri or template> and prompt:<server>/<name>", () => {
    expect(parseScope("resource:crm/crm://customers/{id}")).toEqual({ kind: "resource", server: "crm", name: "crm://customers/{id}" });
    expect(parseScope("resource:crm/*")).toEqual({ kind: "resource", server: "crm", name: "*" });
    expect(parseScope("prompt:crm/customer_brief")).toEqual({ kind: "prompt", server: "crm", name: "customer_brief" });
    expect(parseScope("secret:crm/x")).toBeNull();
  });
  it("a scope of one kind never covers another kind", () => {
    expect(narrowScopes(["tool:crm/*"], ["resource:crm/*"])).toEqual({ ok: false, error: "widened", scopes: ["resource:crm/*"] });
    expect(narrowScopes(["resource:*/*"], ["resource:crm/crm://customers/{id}"]).ok).toBe(true);
  });
  it("rejects anything else", () => {
    for (const s of ["crm/*", "tool:", "tool:/x", "tool:crm", "tool:crm/", "tool:c r m/x", "tool:crm/get*", "tool:cr*/x", "openid", "tool:crm/x y"]) {
      expect(parseScope(s), s).toBeNull();
    }
  });
});

describe("narrowing", () => {
  const parent = ["tool:crm/*", "tool:web/fetch_url"];
  it("a child may keep or narrow its parent's scopes", () => {
    expect(narrowScopes(parent, ["tool:crm/get_customer"])).toEqual({ ok: true, scopes: ["tool:crm/get_customer"] });
    expect(narrowScopes(parent, ["tool:crm/*", "tool:web/fetch_url"])).toEqual({ ok: true, scopes: parent });
    expect(narrowScopes(parent, [])).toEqual({ ok: true, scopes: parent });
    expect(narrowScopes(["tool:*/*"], ["tool:mail/*"]).ok).toBe(true);
    expect(narrowScopes(["tool:*/read"], ["tool:files/read"]).ok).toBe(true);
  });
  it("refuses any widening, naming the offending scopes", () => {
    expect(narrowScopes(parent, ["tool:web/*"])).toEqual({ ok: false, error: "widened", scopes: ["tool:web/*"] });
    expect(narrowScopes(parent, ["tool:*/*"])).toEqual({ ok: false, error: "widened", scopes: ["tool:*/*"] });
    expect(narrowScopes(parent, ["tool:*/get_customer"])).toEqual({ ok: false, error: "widened", scopes: ["tool:*/get_customer"] });
    expect(narrowScopes(parent, ["tool:crm/a", "tool:mail/send"])).toEqual({ ok: false, error: "widened", scopes: ["tool:mail/send"] });
    expect(narrowScopes([], ["tool:crm/a"]).ok).toBe(false);
  });
  it("refuses malformed or too many scopes; the first hop grants any well-formed scope", () => {
    expect(narrowScopes(null, ["tool:*/*"])).toEqual({ ok: true, scopes: ["tool:*/*"] });
    expect(narrowScopes(null, ["read"])).toEqual({ ok: false, error: "malformed", scopes: ["read"] });
    expect(
      narrowScopes(
        null,
        Array.from({ length: 51 }, (_, i) => `tool:s/t${i}`),
      ).ok,
    ).toBe(false);
  });
  it("coverage is transitive along a chain", () => {
    const chain = [["tool:*/*"], ["tool:crm/*"], ["tool:crm/get_customer"]];
    for (let i = 1; i < chain.length; i++) expect(narrowScopes(chain[i - 1], chain[i]).ok).toBe(true);
    expect(covers(parseScope("tool:*/*")!, parseScope("tool:crm/get_customer")!)).toBe(true);
  });
  it("splits the scope parameter on spaces without duplicates", () => {
    expect(splitScopeParam("tool:a/b  tool:a/b tool:c/*")).toEqual(["tool:a/b", "tool:c/*"]);
    expect(splitScopeParam(undefined)).toEqual([]);
  });
});

describe("tool checks agree with the decision path", () => {
  const cases: Array<[string[], string, string]> = [
    [["tool:crm/*"], "crm", "get_customer"],
    [["tool:crm/*"], "web", "get_customer"],
    [["tool:*/fetch_url"], "web", "fetch_url"],
    [["tool:files/dir/read"], "files", "dir/read"],
    [["bogus"], "crm", "x"],
  ];
  for (const [scopes, server, name] of cases) {
    it(`${scopes.join(" ")} vs ${server}/${name}`, () => expect(scopesAllowTool(scopes, server, name)).toBe(scopeAllows(scopes, server, name)));
  }
});
