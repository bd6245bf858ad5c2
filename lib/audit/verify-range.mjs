// One range of one audit chain, verified: reads the entries of `chain_id` with lo ≤ seq ≤ hi (hi null:
// to the end) in keyset pages straight from PostgreSQL's text output (no per-row type parsing), and
// recomputes each entry's hash exactly as lib/audit/hash.ts does (the canonical JSON of the entry's
// columns, the same bytes as lib/util/canonical-json.ts: see verify-range.test.ts). Plain JavaScript,
// so that the worker threads of lib/audit/verify.ts run it without a loader.
//
// The range checks its own entries: contiguity and links from its first entry on, every hash, and the
// checkpointed hashes it was given. Its first entry's seq and prev_hash are returned for the caller to
// check against the range before it (lib/audit/verify-combine.ts).
import crypto from "node:crypto";
import pg from "pg";

const PAGE = 5000;
const RAW = { getTypeParser: () => (v) => v };
const parseTimestamptz = pg.types.getTypeParser(1184);
const TS = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as PostgreSQL writes it in UTC, as node-postgres' parser and Date#toISOString would
 * write it (milliseconds truncated as Date.UTC does). Anything unusual takes that very path.
 */
export function isoOfTimestamptz(text) {
  const m = TS.exec(text);
  if (m === null || m[1] < "1000") return parseTimestamptz(text).toISOString();
  const ms = m[7] === undefined ? 0 : Math.trunc(1000 * parseFloat("." + m[7]));
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}

/** Canonical JSON of a value made by JSON.parse: keys in code-unit order, no whitespace. */
export function canonicalParsedJson(v) {
  if (v === null) return "null";
  if (typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) s += (i === 0 ? "" : ",") + canonicalParsedJson(v[i]);
    return s + "]";
  }
  const keys = Object.keys(v).sort();
  let s = "{";
  for (let i = 0; i < keys.length; i++) s += (i === 0 ? "" : ",") + JSON.stringify(keys[i]) + ":" + canonicalParsedJson(v[keys[i]]);
  return s + "}";
}

/** SHA-256 (hex) of a string's UTF-8 bytes: the one-shot crypto.hash where Node has it (≥ 20.12; no Hash object per entry). */
export const sha256Hex =
  typeof crypto.hash === "function" ? (s) => crypto.hash("sha256", s, "hex") : (s) => crypto.createHash("sha256").update(s).digest("hex");

const str = (v) => (v === null ? "null" : JSON.stringify(v));

/**
 * The canonical JSON hashed for an entry, from its columns as text (in the order of COLUMNS), equal to
 * canonicalJson(entryContent(rowToEntry(row))).
 */
export function entryCanonicalFromText(c) {
  const data = c[14] === null ? "null" : canonicalParsedJson(JSON.parse(c[14]));
  const created = c[13] === null ? parseTimestamptz(c[13]).toISOString() : isoOfTimestamptz(c[13]);
  return (
    `{"action":${str(c[5])},"actor":${str(c[6])},"agent_id":${str(c[9])},"chain_id":${str(c[0])},"created_at":${str(created)},"data":${data}` +
    `,"decision_id":${str(c[12])},"kind":${str(c[4])},"outcome":${str(c[11])},"prev_hash":${str(c[2])},"seq":${JSON.stringify(Number(c[1]))}` +
    `,"session_id":${str(c[7])},"step":${c[8] === null ? "null" : JSON.stringify(parseInt(c[8], 10))},"tool":${str(c[10])}}`
  );
}

export const COLUMNS = "chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data";

/** A connection that reads text as sent, with timestamps in UTC. */
export async function openReader(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'`);
  // A range is read in seq order from the primary key of each partition (a Merge Append), never by a
  // scan of the whole partition then a sort: for a range of a tenth of a chain the planner chose that
  // (a parallel seq scan of the partition and an external merge sort on disk, per range), which cost
  // PostgreSQL more CPU than the verification itself (docs/benchmarks.md, "Session 10").
  await client.query(`SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off; SET max_parallel_workers_per_gather = 0`);
  return client;
}

function page(client, task, after, first) {
  return client.query({
    text: `SELECT ${COLUMNS} FROM audit_entries WHERE chain_id = $1 AND seq ${first ? ">=" : ">"} $2${task.hi === null ? "" : " AND seq <= $3"} ORDER BY seq LIMIT ${PAGE}`,
    values: task.hi === null ? [task.chain_id, after] : [task.chain_id, after, task.hi],
    rowMode: "array",
    types: RAW,
  });
}

/**
 * Verifies a range from keyset pages of text rows: the reference path (lib/audit/verify-copy.mjs reads a
 * binary COPY instead, and comes here for what it does not write itself). task: { chain_id, lo, hi (null: to the end), expected: [[seq, hash], …] }.
 * Returns { firstSeq, firstPrev, count, lastSeq, lastHash, broken, mismatches }: `count` entries passed
 * (up to `lastSeq`, whose hash is `lastHash`) before `broken` (null when the whole range passed).
 */
export async function verifyRangeText(client, task, onProgress) {
  const expected = new Map(task.expected);
  const out = { firstSeq: null, firstPrev: null, count: 0, lastSeq: null, lastHash: null, broken: null, mismatches: [] };
  let next = page(client, task, task.lo, true);
  let prev = null;
  let after = null;
  for (;;) {
    const rows = (await next).rows;
    if (rows.length === PAGE) next = page(client, task, Number(rows[PAGE - 1][1]), false);
    for (const c of rows) {
      const seq = Number(c[1]);
      const brokenAt = (reason) => ((out.broken = { chain_id: task.chain_id, seq, reason }), out);
      if (after === null) {
        out.firstSeq = seq;
        out.firstPrev = c[2];
      } else {
        if (seq !== after + 1) return brokenAt(`entry ${after + 1} is missing (next stored entry is ${seq})`);
        if (c[2] !== prev) return brokenAt("link broken: prev_hash does not match the previous entry's hash");
      }
      const hash = c[3];
      if (sha256Hex(entryCanonicalFromText(c)) !== hash) return brokenAt("content altered: the stored hash does not match the entry's content");
      const signed = expected.get(seq);
      if (signed !== undefined && signed !== hash) out.mismatches.push(seq);
      prev = hash;
      after = seq;
      out.count++;
      out.lastSeq = seq;
      out.lastHash = hash;
    }
    onProgress?.(rows.length);
    if (rows.length < PAGE) return out;
  }
}
