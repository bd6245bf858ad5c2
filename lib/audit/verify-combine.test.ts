/** Joining ranges verified apart gives the first break, and its reason, of one walk. */
import { describe, expect, it } from "vitest";
import { combineRanges } from "./verify-combine.ts";
import type { RangeResult } from "./verify-range.mjs";

const ok = (first: number, last: number, prev: string, lastHash: string): RangeResult => ({
  firstSeq: first,
  firstPrev: prev,
  count: last - first + 1,
  lastSeq: last,
  lastHash,
  broken: null,
  mismatches: [],
});
const G = "0".repeat(64);

describe("combineRanges", () => {
  it("joins intact ranges", () => {
    expect(combineRanges("c", { seq: 0, hash: G }, [ok(1, 10, G, "h10"), ok(11, 20, "h10", "h20")])).toEqual({
      entries: 20,
      headSeq: 20,
      broken: null,
      mismatches: [],
    });
  });
  it("a link broken at a range's first entry is reported before that entry's own content check", () => {
    const second: RangeResult = {
      ...ok(11, 20, "forged", "h20"),
      count: 0,
      lastSeq: null,
      lastHash: null,
      broken: { chain_id: "c", seq: 11, reason: "content altered" },
    };
    const w = combineRanges("c", { seq: 0, hash: G }, [ok(1, 10, G, "h10"), second]);
    expect(w).toMatchObject({ entries: 10, headSeq: 10, broken: { seq: 11, reason: expect.stringMatching(/^link broken/) } });
  });
  it("a missing first entry of a range names the next entry stored, across empty ranges", () => {
    const empty: RangeResult = { firstSeq: null, firstPrev: null, count: 0, lastSeq: null, lastHash: null, broken: null, mismatches: [] };
    const w = combineRanges("c", { seq: 0, hash: G }, [ok(1, 9, G, "h9"), empty, ok(25, 30, "h24", "h30")]);
    expect(w).toMatchObject({ entries: 9, headSeq: 9, broken: { seq: 25, reason: "entry 10 is missing (next stored entry is 25)" } });
  });
  it("a break inside a range keeps the entries before it, and drops what later ranges found", () => {
    const mid: RangeResult = { ...ok(11, 14, "h10", "h14"), broken: { chain_id: "c", seq: 15, reason: "content altered" }, mismatches: [12] };
    const later: RangeResult = { ...ok(21, 30, "h20", "h30"), mismatches: [25] };
    expect(combineRanges("c", { seq: 0, hash: G }, [ok(1, 10, G, "h10"), mid, later])).toEqual({
      entries: 14,
      headSeq: 14,
      broken: mid.broken,
      mismatches: [12],
    });
  });
  it("starts after a checkpoint's head", () => {
    expect(combineRanges("c", { seq: 100, hash: "h100" }, [ok(101, 110, "h100", "h110")])).toMatchObject({ entries: 10, headSeq: 110, broken: null });
    expect(combineRanges("c", { seq: 100, hash: "h100" }, [ok(101, 110, "other", "h110")]).broken?.reason).toMatch(/^link broken/);
  });
});
