import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.ts";

describe("canonicalJson", () => {
  it("sorts keys recursively by code unit and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" }, B: true })).toBe('{"B":true,"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ "é": 1, z: 2, "\u{1F600}": 3, "\uFB01": 4 })).toBe('{"z":2,"é":1,"\u{1F600}":3,"\uFB01":4}');
  });

  it("drops undefined members, writes undefined array items and non-finite numbers as null", () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined, 1, Number.NaN, Infinity] })).toBe('{"b":null,"c":[null,1,null,null]}');
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("writes dates as ISO strings and numbers as JSON.stringify does", () => {
    expect(canonicalJson({ at: new Date("2026-11-25T19:09:52.123Z"), n: [1e21, 0.1, -0, 5e-7] })).toBe('{"at":"2026-11-25T19:09:52.123Z","n":[1e+21,0.1,0,5e-7]}');
  });

  it("is independent of key insertion order and round-trips JSON values", () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]))
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reverseKeys(v))).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});
