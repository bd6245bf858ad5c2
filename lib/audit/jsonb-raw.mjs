// The canonical JSON of a jsonb value written from PostgreSQL's own storage format of jsonb (read by
// `data::bytea`, a binary-coercible cast made by migration 20261211020000_jsonb_raw_cast where the
// migrating role is a superuser), into the reusable buffer of lib/audit/canonical-bytes.mjs. It gives the
// very bytes of putJsonb on jsonb's text (tested on PostgreSQL's output: audit-verify-raw.test.ts), but
// PostgreSQL sends the stored bytes as they are instead of printing jsonb's text (jsonb_out was ~40 % of
// the verification's CPU).
//
// The format (src/include/utils/jsonb.h, stable since 9.4; the byte order of the server, checked by
// jsonbRawUsable): a container is a uint32 header (count, and flags: object, array, scalar pseudo-array),
// then one uint32 JEntry per child (an object: every key, then every value, keys sorted by length then
// bytes), then the children's data. A JEntry has a type, and either the child's length or (every 32nd,
// flag 0x80000000) the end of its data; numerics and containers start at the next multiple of 4.
// Strings are raw UTF-8 (written escaped as JSON.stringify does: putText); numerics are PostgreSQL
// numeric varlenas (base 10000 digits), written as JSON.stringify(Number(numeric's text)), as putJsonb
// writes jsonb's text. Keys are re-sorted by code unit; a key that would need an escape or holds a
// character outside the BMP, or anything out of place, throws Unusual (the range then takes the
// reference path).
import { ensure, out, put, putInt, putText } from "./canonical-bytes.mjs";

/** A value this path does not write itself. */
export class Unusual extends Error {}

const OFFLEN = 0x0fffffff;
const HAS_OFF = 0x80000000;
const TYPE = 0x70000000;
const T_STRING = 0;
const T_NUMERIC = 0x10000000;
const T_FALSE = 0x20000000;
const T_TRUE = 0x30000000;
const T_NULL = 0x40000000;
const T_CONTAINER = 0x50000000;
const F_SCALAR = 0x10000000;
const F_OBJECT = 0x20000000;
const F_ARRAY = 0x40000000;
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

const u32 = (s, p) => (s[p] | (s[p + 1] << 8) | (s[p + 2] << 16) | (s[p + 3] << 24)) >>> 0;
const i16 = (s, p) => ((s[p] | (s[p + 1] << 8)) << 16) >> 16;

/** Children of the containers being written: [start, end, type, key prefix] per child, a stack. */
let stk = new Int32Array(4 * 1024);
let ord = new Int32Array(256);
let top = 0;

/** A numeric varlena at s[p..e) as JSON.stringify(Number(numeric_out(it))). */
function numeric(s, p, e) {
  const b0 = s[p];
  let q;
  let end;
  if ((b0 & 1) === 1) {
    if (b0 === 1) throw new Unusual(); // a TOAST pointer: never inside a jsonb
    q = p + 1;
    end = p + (b0 >> 1);
  } else {
    if ((b0 & 3) !== 0) throw new Unusual(); // compressed
    q = p + 4;
    end = p + (u32(s, p) >>> 2);
  }
  if (end > e || q + 2 > end) throw new Unusual();
  const h = s[q] | (s[q + 1] << 8);
  let neg;
  let dscale;
  let weight;
  if ((h & 0xc000) === 0x8000) {
    neg = (h & 0x2000) !== 0;
    dscale = (h & 0x1f80) >> 7;
    weight = h & 0x40 ? (h & 0x3f) - 64 : h & 0x3f;
    q += 2;
  } else if ((h & 0xc000) === 0xc000)
    throw new Unusual(); // NaN, ±Infinity: not JSON
  else {
    if (q + 4 > end) throw new Unusual();
    neg = (h & 0xc000) === 0x4000;
    dscale = h & 0x3fff;
    weight = i16(s, q + 2);
    q += 4;
  }
  const nd = (end - q) >> 1;
  if (dscale === 0 && weight >= 0 && weight <= 2) {
    // an integer below 10^12: exact, and written as numeric_out writes it
    let v = 0;
    for (let d = 0; d <= weight; d++) v = v * 10000 + (d < nd ? i16(s, q + 2 * d) : 0);
    if (neg && v !== 0) put(MINUS);
    putInt(v);
    return;
  }
  // numeric_out (get_str_from_var), then Number and JSON.stringify
  let t = neg ? "-" : "";
  let d;
  if (weight < 0) {
    d = weight + 1;
    t += "0";
  } else {
    for (d = 0; d <= weight; d++) {
      const g = d < nd ? i16(s, q + 2 * d) : 0;
      t += d === 0 ? String(g) : String(g).padStart(4, "0");
    }
  }
  if (dscale > 0) {
    let f = "";
    for (let i = 0; i < dscale; d++, i += 4) f += String(d >= 0 && d < nd ? i16(s, q + 2 * d) : 0).padStart(4, "0");
    t += "." + f.slice(0, dscale);
  }
  const v = JSON.stringify(Number(t));
  ensure(v.length);
  out.pos += out.buf.latin1Write(v, out.pos);
}
const MINUS = Buffer.from("-");

/** A key s[a..b) in quotes and its colon: no escape needed and in the BMP, else Unusual. */
function key(s, a, b) {
  ensure(b - a + 4);
  const w = out.buf;
  let o = out.pos;
  w[o++] = 0x22;
  for (let i = a; i < b; i++) {
    const c = s[i];
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0xf0) throw new Unusual();
    w[o++] = c;
  }
  w[o++] = 0x22;
  w[o++] = 0x3a;
  out.pos = o;
}

/** Code-unit order of two keys (BMP, no escapes: byte order, a prefix first). */
function cmp(s, a, ae, b, be) {
  const n = Math.min(ae - a, be - b);
  for (let k = 0; k < n; k++) if (s[a + k] !== s[b + k]) return s[a + k] - s[b + k];
  return ae - a - (be - b);
}

/** One child: type and data s[a..b) (numerics and containers from the next multiple of 4 of a, relative to base). */
function child(s, type, base, a, b) {
  if (type === T_STRING) putText(s, a, b);
  else if (type === T_NUMERIC) numeric(s, base + ((a - base + 3) & ~3), b);
  else if (type === T_CONTAINER) container(s, base + ((a - base + 3) & ~3), b);
  else if (type === T_TRUE) put(TRUE);
  else if (type === T_FALSE) put(FALSE);
  else if (type === T_NULL) put(NULL);
  else throw new Unusual();
}

/** The container at s[c..e). */
function container(s, c, e) {
  if (c + 4 > e) throw new Unusual();
  const header = u32(s, c);
  const n = header & OFFLEN;
  const object = (header & F_OBJECT) !== 0;
  const m = object ? 2 * n : n;
  const base = c + 4 + 4 * m;
  if (base > e || (!object && (header & F_ARRAY) === 0)) throw new Unusual();
  const at = top;
  if (top + 4 * m > stk.length) {
    const g = new Int32Array(Math.max(stk.length * 2, top + 4 * m));
    g.set(stk);
    stk = g;
  }
  let off = 0;
  for (let i = 0; i < m; i++) {
    const je = u32(s, c + 4 + 4 * i);
    const end = je & HAS_OFF ? je & OFFLEN : off + (je & OFFLEN);
    if (end < off || base + end > e) throw new Unusual();
    const k = at + 4 * i;
    stk[k] = base + off;
    stk[k + 1] = base + end;
    stk[k + 2] = je & TYPE;
    off = end;
  }
  top = at + 4 * m;
  if (!object) {
    if (header & F_SCALAR) {
      if (n !== 1) throw new Unusual();
      child(s, stk[at + 2], base, stk[at], stk[at + 1]);
    } else {
      byte(0x5b);
      for (let i = 0; i < n; i++) {
        if (i > 0) byte(0x2c);
        const k = at + 4 * i;
        child(s, stk[k + 2], base, stk[k], stk[k + 1]);
      }
      byte(0x5d);
    }
    top = at;
    return;
  }
  // keys in code-unit order: insertion sort of indexes on a 3-byte prefix, then the bytes
  if (ord.length < top) {
    const g = new Int32Array(top * 2);
    g.set(ord);
    ord = g;
  }
  for (let i = 0; i < n; i++) {
    const k = at + 4 * i;
    const a = stk[k];
    const l = stk[k + 1] - a;
    if (stk[k + 2] !== T_STRING) throw new Unusual();
    const pre = ((l > 0 ? s[a] : 0) << 16) | ((l > 1 ? s[a + 1] : 0) << 8) | (l > 2 ? s[a + 2] : 0);
    stk[k + 3] = pre;
    let j = i;
    while (j > 0) {
      const p = at + 4 * ord[at + j - 1];
      if (stk[p + 3] < pre || (stk[p + 3] === pre && cmp(s, stk[p], stk[p + 1], a, a + l) <= 0)) break;
      ord[at + j] = ord[at + j - 1];
      j--;
    }
    ord[at + j] = i;
  }
  byte(0x7b);
  for (let j = 0; j < n; j++) {
    const i = ord[at + j];
    if (j > 0) byte(0x2c);
    const k = at + 4 * i;
    key(s, stk[k], stk[k + 1]);
    const v = at + 4 * (n + i);
    child(s, stk[v + 2], base, stk[v], stk[v + 1]);
  }
  byte(0x7d);
  top = at;
}

/** One structural byte ({ } [ ] ,). */
function byte(c) {
  if (out.pos >= out.buf.length) ensure(1);
  out.buf[out.pos++] = c;
}

/** Appends the canonical JSON of the jsonb stored as s[a..b) (the bytes after its varlena header). Throws Unusual. */
export function putJsonbRaw(s, a, b) {
  top = 0;
  container(s, a, b);
}

/** A probe whose canonical JSON exercises every kind of child: compared with what this file writes of it. */
export const PROBE = `{"b":[1.5,"x\\n\\u0001é",true,null,false,{"é":-20000,"a":123456789012345678}],"aa":0.001,"a":{},"c":[]}`;
export const PROBE_CANONICAL = `{"a":{},"aa":0.001,"b":[1.5,"x\\n\\u0001é",true,null,false,{"a":123456789012345680,"é":-20000}],"c":[]}`;

/** Whether a server's `jsonb::bytea` of PROBE is read by this file as PROBE_CANONICAL (format and byte order). */
export function rawProbeMatches(bytes) {
  const start = out.pos;
  try {
    putJsonbRaw(bytes, 0, bytes.length);
    return out.buf.toString("utf8", start, out.pos) === PROBE_CANONICAL;
  } catch (e) {
    if (e instanceof Unusual) return false;
    throw e;
  } finally {
    out.pos = start;
  }
}
