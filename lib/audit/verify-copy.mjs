// One range of one audit chain, verified from a binary COPY stream: `COPY (SELECT … ORDER BY seq) TO
// STDOUT (FORMAT binary)` streams the range in one statement (no pages, no per-row protocol objects);
// each tuple's fields are read in place from the received bytes, the entry's canonical JSON is written
// into one reusable buffer (lib/audit/canonical-bytes.mjs) and hashed, and the digest is compared with
// the stored hash's bytes. Every hash is recomputed from the stored columns, as the reference path of
// lib/audit/verify-range.mjs does (verifyRangeText), with the same checks in the same order and the same
// reasons. chain_id is not read: the WHERE clause makes it the range's own (uuid equality is byte
// equality), so its canonical text is the task's.
//
// A value this path does not write itself (a timestamp outside the years 1000–9999, a field of an
// unexpected size, a database that is not UTF8) sends the whole range to the reference path.
import crypto from "node:crypto";
import copyStreams from "pg-copy-streams";
import { ISO_MAX_MS, ISO_MIN_MS, ensure, out, put, putInt, putIsoMs, putJsonb, putText, putUuid } from "./canonical-bytes.mjs";
import { PROBE, Unusual, putJsonbRaw, rawProbeMatches } from "./jsonb-raw.mjs";
import { verifyRangeText } from "./verify-range.mjs";

const COLUMNS = "seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at";
const [SEQ, PREV, HASH, KIND, ACTION, ACTOR, SESSION, STEP, AGENT, TOOL, OUTCOME, DECISION, CREATED, DATA] = Array.from({ length: 14 }, (_, i) => i);
const NF = 14;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const EPOCH_2000_MS = 946684800000;
const PROGRESS_EVERY = 4096;

const B = (s) => Buffer.from(s, "latin1");
const K = {
  action: B('{"action":'),
  actor: B(',"actor":'),
  agent: B(',"agent_id":'),
  chain: B(',"chain_id":'),
  created: B(',"created_at":'),
  data: B(',"data":'),
  decision: B(',"decision_id":'),
  kind: B(',"kind":'),
  outcome: B(',"outcome":'),
  prev: B(',"prev_hash":'),
  seq: B(',"seq":'),
  session: B(',"session_id":'),
  step: B(',"step":'),
  tool: B(',"tool":'),
  end: B("}"),
  null: B("null"),
};

// Unusual (lib/audit/jsonb-raw.mjs) is thrown for a value this path does not write itself: the range is
// then verified by the reference path.

const modes = new WeakMap();

/**
 * How a connection's ranges are read: "raw" (binary COPY, `data` in jsonb's stored form through the
 * cast of migration 20261211020000, when the server has it and its bytes read as expected: format and
 * byte order), "text" (binary COPY, `data` as jsonb's text), or "reference" (a database not in UTF8:
 * keyset pages, lib/audit/verify-range.mjs). `force` (tests) asks for "text" where "raw" would be used.
 */
export async function readMode(client, force) {
  let mode = modes.get(client);
  if (mode === undefined) {
    const r = await client.query(
      `SELECT current_setting('server_encoding') AS s, current_setting('client_encoding') AS c,
              EXISTS (SELECT 1 FROM pg_cast WHERE castsource = 'jsonb'::regtype AND casttarget = 'bytea'::regtype AND castmethod = 'b') AS cast`,
    );
    const { s, c, cast } = r.rows[0];
    mode = s === "UTF8" && c === "UTF8" ? "text" : "reference";
    if (mode === "text" && cast) {
      const p = await client.query(`SELECT $1::jsonb::bytea AS b`, [PROBE]);
      if (rawProbeMatches(p.rows[0].b)) mode = "raw";
    }
    modes.set(client, mode);
  }
  return force === "text" && mode === "raw" ? "text" : mode;
}

const i32 = (s, p) => (s[p] << 24) | (s[p + 1] << 16) | (s[p + 2] << 8) | s[p + 3];
/** A signed 64-bit integer, exact within ±2^53 (beyond: as Number(BigInt), which rounds like Number(text)). */
function i64(s, p) {
  const hi = i32(s, p);
  if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + (i32(s, p + 4) >>> 0);
  return Number(s.readBigInt64BE(p));
}

/**
 * The verifier of one range: fed tuples (bytes and field offsets), it keeps the state of the walk.
 * Same result shape as verifyRangeText.
 */
function walker(task, raw) {
  const expected = new Map(task.expected);
  const chain = B(`"${task.chain_id}"`);
  const res = { firstSeq: null, firstPrev: null, count: 0, lastSeq: null, lastHash: null, broken: null, mismatches: [] };
  const prev = Buffer.alloc(256);
  let prevLen = -1;
  let after = null;
  const text = (s, off, len) => (len < 0 ? put(K.null) : putText(s, off, off + len));
  const uuid = (s, off, len) => {
    if (len < 0) return put(K.null);
    if (len !== 16) throw new Unusual();
    putUuid(s, off);
  };
  const brokenAt = (seq, reason) => {
    res.broken = { chain_id: task.chain_id, seq, reason };
    return false;
  };
  /** One tuple: returns false once the range is broken. */
  const row = (s, off, len) => {
    if (len[SEQ] !== 8) throw new Unusual();
    const seq = i64(s, off[SEQ]);
    if (after === null) {
      res.firstSeq = seq;
      res.firstPrev = len[PREV] < 0 ? null : s.toString("utf8", off[PREV], off[PREV] + len[PREV]);
    } else {
      if (seq !== after + 1) return brokenAt(seq, `entry ${after + 1} is missing (next stored entry is ${seq})`);
      if (len[PREV] !== prevLen || s.compare(prev, 0, prevLen, off[PREV], off[PREV] + prevLen) !== 0)
        return brokenAt(seq, "link broken: prev_hash does not match the previous entry's hash");
    }
    // {"action":…,"actor":…,"agent_id":…,"chain_id":…,"created_at":…,"data":…,"decision_id":…,"kind":…,
    //  "outcome":…,"prev_hash":…,"seq":…,"session_id":…,"step":…,"tool":…}
    out.pos = 0;
    ensure(1024);
    put(K.action);
    text(s, off[ACTION], len[ACTION]);
    put(K.actor);
    text(s, off[ACTOR], len[ACTOR]);
    put(K.agent);
    uuid(s, off[AGENT], len[AGENT]);
    put(K.chain);
    put(chain);
    put(K.created);
    if (len[CREATED] !== 8) throw new Unusual();
    const ms = Math.floor(i64(s, off[CREATED]) / 1000) + EPOCH_2000_MS;
    if (!(ms >= ISO_MIN_MS && ms <= ISO_MAX_MS)) throw new Unusual();
    putIsoMs(ms);
    put(K.data);
    if (len[DATA] < 0) put(K.null);
    else {
      if (raw)
        putJsonbRaw(s, off[DATA], off[DATA] + len[DATA]); // jsonb's stored form
      else {
        if (len[DATA] < 1 || s[off[DATA]] !== 1) throw new Unusual(); // jsonb's binary format: version 1, then its text
        putJsonb(s, off[DATA] + 1, off[DATA] + len[DATA]);
      }
    }
    put(K.decision);
    uuid(s, off[DECISION], len[DECISION]);
    put(K.kind);
    text(s, off[KIND], len[KIND]);
    put(K.outcome);
    text(s, off[OUTCOME], len[OUTCOME]);
    put(K.prev);
    text(s, off[PREV], len[PREV]);
    put(K.seq);
    putInt(seq);
    put(K.session);
    text(s, off[SESSION], len[SESSION]);
    put(K.step);
    if (len[STEP] < 0) put(K.null);
    else if (len[STEP] !== 4) throw new Unusual();
    else putInt(i32(s, off[STEP]));
    put(K.tool);
    text(s, off[TOOL], len[TOOL]);
    put(K.end);
    // hex, not a Buffer: crypto.hash's Buffer result costs as much as the digest (2.0 against 1.1 µs for 1.1 KB)
    const digest = crypto.hash("sha256", out.buf.subarray(0, out.pos), "hex");
    const h = off[HASH];
    let same = len[HASH] === 64;
    for (let k = 0; same && k < 64; k++) same = s[h + k] === digest.charCodeAt(k);
    if (!same) return brokenAt(seq, "content altered: the stored hash does not match the entry's content");
    if (expected.size !== 0) {
      const signed = expected.get(seq);
      if (signed !== undefined && signed !== s.latin1Slice(h, h + 64)) res.mismatches.push(seq);
    }
    s.copy(prev, 0, h, h + 64);
    prevLen = 64;
    after = seq;
    res.count++;
    res.lastSeq = seq;
    return true;
  };
  const result = () => {
    if (res.count > 0) res.lastHash = prev.latin1Slice(0, prevLen);
    return res;
  };
  return { row, result };
}

/**
 * Verifies a range from a binary COPY. Returns the result, or null when the range has a value this path
 * does not write itself (the stream is read to its end first, so the connection can be used again).
 */
async function verifyRangeCopy(client, task, onProgress, raw) {
  if (!UUID.test(task.chain_id) || !Number.isSafeInteger(task.lo) || (task.hi !== null && !Number.isSafeInteger(task.hi)))
    throw new Error(`invalid range ${JSON.stringify(task)}`);
  const sql =
    `COPY (SELECT ${COLUMNS}, ${raw ? "data::bytea" : "data"} FROM audit_entries WHERE chain_id = '${task.chain_id}' AND seq >= ${task.lo}` +
    `${task.hi === null ? "" : ` AND seq <= ${task.hi}`} ORDER BY seq) TO STDOUT (FORMAT binary)`;
  return verifyCopyStream(client.query(copyStreams.to(sql)), task, onProgress, raw);
}

/**
 * Verifies a range from the chunks of a binary COPY of its COLUMNS (any async iterable of Buffers).
 * Returns { result, reported } — result null when a value needs the reference path.
 */
async function verifyCopyStream(stream, task, onProgress, raw = false) {
  const w = walker(task, raw);
  const off = new Int32Array(NF);
  const len = new Int32Array(NF);
  /** The end of the tuple at p (its fields in off/len), -1 if it is not all in s, -2 for the trailer. */
  const tuple = (s, p) => {
    if (p + 2 > s.length) return -1;
    const nf = (s[p] << 8) | s[p + 1];
    if (nf === 0xffff) return -2;
    if (nf !== NF) throw new Error(`audit verify: COPY tuple of ${nf} fields`);
    let q = p + 2;
    for (let f = 0; f < NF; f++) {
      if (q + 4 > s.length) return -1;
      const l = i32(s, q);
      off[f] = q + 4;
      len[f] = l;
      q += 4 + (l > 0 ? l : 0);
    }
    return q > s.length ? -1 : q;
  };
  let stopped = false;
  let unusual = false;
  let pending = 0;
  /** Verifies the tuple whose fields are in off/len; false once the walk stops. */
  const verify = (s) => {
    let more;
    try {
      more = w.row(s, off, len);
    } catch (e) {
      if (!(e instanceof Unusual)) throw e;
      unusual = true;
      more = false;
    }
    if (!more) stopped = true;
    else if (++pending === PROGRESS_EVERY) {
      onProgress?.(pending);
      pending = 0;
    }
    return more;
  };
  let rest = null;
  let header = true;
  for await (const chunk of stream) {
    if (stopped) continue; // read to the end: the connection serves the next range
    let s = chunk;
    let p = 0;
    if (header) {
      s = rest === null ? chunk : Buffer.concat([rest, chunk]);
      rest = null;
      if (s.length < 19 || s.length < 19 + i32(s, 15)) {
        rest = s;
        continue;
      }
      if (s.compare(SIGNATURE, 0, 11, 0, 11) !== 0) throw new Error("audit verify: unexpected COPY header");
      p = 19 + i32(s, 15);
      header = false;
    } else if (rest !== null) {
      // a tuple split between chunks: joined with as little of the new chunk as it needs
      let joined;
      let e = -1;
      for (let k = 1024; e === -1; k *= 4) {
        joined = Buffer.concat([rest, chunk.subarray(0, Math.min(chunk.length, k))]);
        e = tuple(joined, 0);
        if (k >= chunk.length) break;
      }
      if (e === -1) {
        rest = joined;
        continue;
      }
      if (e === -2) p = chunk.length;
      else {
        p = e - rest.length;
        if (!verify(joined)) continue;
      }
      rest = null;
    }
    for (;;) {
      const e = tuple(s, p);
      if (e === -1) break;
      if (e === -2) {
        p = s.length;
        break;
      }
      p = e;
      if (!verify(s)) break;
    }
    if (!stopped && p < s.length) rest = s.subarray(p);
  }
  if (unusual) return { result: null, reported: w.result().count - pending };
  if (pending) onProgress?.(pending);
  return { result: w.result(), reported: 0 };
}

/**
 * Verifies a range (see verifyRangeText for the task and the result): from a binary COPY, or by the
 * reference path for a range with a value the COPY path does not write itself.
 */
export async function verifyRange(client, task, onProgress) {
  const mode = await readMode(client, task.read);
  if (mode !== "reference") {
    const r = await verifyRangeCopy(client, task, onProgress, mode === "raw");
    if (r.result) return r.result;
    // progress already reported for the entries before the unusual one is not reported twice
    let skip = r.reported;
    return verifyRangeText(client, task, (n) => {
      const k = Math.min(skip, n);
      skip -= k;
      if (n > k) onProgress?.(n - k);
    });
  }
  return verifyRangeText(client, task, onProgress);
}
