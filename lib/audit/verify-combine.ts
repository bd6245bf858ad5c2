/**
 * Joins the ranges of one chain, verified apart (lib/audit/verify-range.mjs), into the walk of the whole
 * chain: each range checked its own entries; here each range's first entry is checked against the
 * range before it (the next seq, the previous hash), in the same order the checks of one entry run
 * (contiguity, link, then its content), so the first break and its reason are those of one walk.
 */
import type { RangeBroken, RangeResult } from "./verify-range.mjs";

export interface ChainWalk {
  /** Entries that passed, up to headSeq. */
  entries: number;
  headSeq: number;
  broken: RangeBroken | null;
  /** Entries that passed whose hash differs from a checkpoint's. */
  mismatches: number[];
}

/** `start`: the entry before the first range (seq 0 and the genesis hash for a whole chain). */
export function combineRanges(chainId: string, start: { seq: number; hash: string }, ranges: RangeResult[]): ChainWalk {
  let after = start.seq;
  let prev = start.hash;
  let entries = 0;
  const mismatches: number[] = [];
  for (const r of ranges) {
    if (r.firstSeq === null || r.firstPrev === null) continue; // nothing stored in this range
    const at = (reason: string): ChainWalk => ({ entries, headSeq: after, broken: { chain_id: chainId, seq: r.firstSeq!, reason }, mismatches });
    if (r.firstSeq !== after + 1) return at(`entry ${after + 1} is missing (next stored entry is ${r.firstSeq})`);
    if (r.firstPrev !== prev) return at("link broken: prev_hash does not match the previous entry's hash");
    entries += r.count;
    mismatches.push(...r.mismatches);
    if (r.broken) return { entries, headSeq: r.lastSeq ?? after, broken: r.broken, mismatches };
    after = r.lastSeq!;
    prev = r.lastHash!;
  }
  return { entries, headSeq: after, broken: null, mismatches };
}
