import type pg from "pg";

export interface RangeTask {
  chain_id: string;
  /** The first seq to read (inclusive). */
  lo: number;
  /** The last seq to read (inclusive); null: to the end of the chain. */
  hi: number | null;
  /** Checkpointed hashes inside the range: [seq, hash] pairs. */
  expected: Array<[number, string]>;
  /** "text": read `data` as jsonb's text even where its stored form could be read (tests, bench). */
  read?: "text";
}

export interface RangeBroken {
  chain_id: string;
  seq: number;
  reason: string;
}

export interface RangeResult {
  /** The first stored entry of the range (null: none), and its prev_hash (checked by the caller). */
  firstSeq: number | null;
  firstPrev: string | null;
  /** Entries that passed, up to lastSeq (hash lastHash), before `broken`. */
  count: number;
  lastSeq: number | null;
  lastHash: string | null;
  broken: RangeBroken | null;
  /** Entries that passed whose hash differs from a checkpoint's. */
  mismatches: number[];
}

export function isoOfTimestamptz(text: string): string;
export function canonicalParsedJson(v: unknown): string;
export function entryCanonicalFromText(columns: Array<string | null>): string;
export function openReader(url: string): Promise<pg.Client>;
export function verifyRangeText(client: pg.Client, task: RangeTask, onProgress?: (n: number) => void): Promise<RangeResult>;
/** The columns of an entry, in the order the text rows (and archive lines) carry them. */
export const COLUMNS: string;
export function sha256Hex(s: string): string;
