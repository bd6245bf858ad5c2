import { describe, expect, it } from "vitest";
import { jumpTarget, searchQuerySchema, uuidPrefixRange, type SearchHit } from "./search.ts";

const hit = (href: string, exact = false): SearchHit => ({ kind: "session", label: href, detail: "", at: null, href, exact });

describe("uuidPrefixRange", () => {
  it("turns 4+ hex digits into the range of uuids they begin", () => {
    expect(uuidPrefixRange("3F2A")).toEqual({ lo: "3f2a0000-0000-0000-0000-000000000000", hi: "3f2affff-ffff-ffff-ffff-ffffffffffff" });
    expect(uuidPrefixRange("3f2a1b2c-9d")).toEqual({ lo: "3f2a1b2c-9d00-0000-0000-000000000000", hi: "3f2a1b2c-9dff-ffff-ffff-ffffffffffff" });
    const whole = "3f2a1b2c-9d8e-4f00-8a1b-0123456789ab";
    expect(uuidPrefixRange(whole)).toEqual({ lo: whole, hi: whole });
  });
  it("refuses what cannot begin a uuid", () => {
    expect(uuidPrefixRange("3f2")).toBeNull();
    expect(uuidPrefixRange("support-assistant")).toBeNull();
    expect(uuidPrefixRange("3f-2a1b")).toBeNull(); // a dash where a uuid has none
  });
});

describe("jumpTarget", () => {
  it("jumps to the only match, or the only exact match among several", () => {
    expect(jumpTarget([hit("/a")])).toBe("/a");
    expect(jumpTarget([hit("/a"), hit("/b", true)])).toBe("/b");
  });
  it("offers a choice when there are several matches, or two exact ones; nothing for none", () => {
    expect(jumpTarget([hit("/a"), hit("/b")])).toBeNull();
    expect(jumpTarget([hit("/a", true), hit("/b", true)])).toBeNull();
    expect(jumpTarget([])).toBeNull();
  });
});

describe("searchQuerySchema", () => {
  it("takes 1-200 characters without control characters (surrounding spaces dropped)", () => {
    expect(searchQuerySchema.parse("  abc ")).toBe("abc");
    expect(searchQuerySchema.safeParse("   ").success).toBe(false);
    expect(searchQuerySchema.safeParse("a".repeat(201)).success).toBe(false);
    expect(searchQuerySchema.safeParse("a\u0000b").success).toBe(false);
  });
});
