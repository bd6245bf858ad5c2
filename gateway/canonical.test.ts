import { describe, expect, it } from "vitest";
import { canonicalJson, definitionHash } from "./canonical.ts";

describe("canonicalJson / definitionHash", () => {
  it("sorts keys and ignores undefined", () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });
  it("is stable under key order and changes with the definition", () => {
    const a = definitionHash({ name: "t", description: "d", inputSchema: { type: "object", properties: { x: {} } } });
    const b = definitionHash({ inputSchema: { properties: { x: {} }, type: "object" }, description: "d", name: "t" });
    const c = definitionHash({ name: "t", description: "changed", inputSchema: { type: "object" } });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
