import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalJsonReference } from "./canonical-json.ts";

describe("canonicalJson", () => {
  it("sorts keys recursively by code unit and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" }, B: true })).toBe('{"B":true,"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ é: 1, z: 2, "\u{1F600}": 3, "\uFB01": 4 })).toBe('{"z":2,"é":1,"\u{1F600}":3,"\uFB01":4}');
  });

  it("drops undefined members, writes undefined array items and non-finite numbers as null", () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined, 1, Number.NaN, Infinity] })).toBe('{"b":null,"c":[null,1,null,null]}');
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("writes dates as ISO strings and numbers as JSON.stringify does", () => {
    expect(canonicalJson({ at: new Date("2026-11-25T19:09:52.123Z"), n: [1e21, 0.1, -0, 5e-7] })).toBe(
      '{"at":"2026-11-25T19:09:52.123Z","n":[1e+21,0.1,0,5e-7]}',
    );
  });

  it("is independent of key insertion order and round-trips JSON values", () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(
              Object.keys(v)
                .reverse()
                .map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]),
            )
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reverseKeys(v))).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });

  it("the fast path writes exactly what the reference implementation writes", () => {
    const keyish = fc.oneof(fc.string(), fc.constantFrom("__proto__", "0", "1", "9", "10", "01", "-1", "4294967295", "a", "B", "é", "\u{1F600}"));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("array"), tie("object")),
      leaf: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), fc.double(), fc.date({ noInvalidDate: true }), fc.bigInt()),
      array: fc.array(tie("tree"), { maxLength: 4 }),
      object: fc.array(fc.tuple(keyish, tie("tree")), { maxLength: 5 }).map((entries) => {
        const o: Record<string, unknown> = {};
        for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    }));
    fc.assert(
      fc.property(fc.oneof(tree, fc.anything()), (v) => {
        expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps index-like and __proto__ keys in code-unit order", () => {
    const o = JSON.parse('{"9":1,"10":2,"a":{"__proto__":3,"b":[4]}}');
    expect(canonicalJson(o)).toBe('{"10":2,"9":1,"a":{"__proto__":3,"b":[4]}}');
    expect(canonicalJson({ z: { y: 1, x: 2 }, a: 1 })).toBe('{"a":1,"z":{"x":2,"y":1}}');
  });
});
