// The canonical bytes of an audit entry written straight from PostgreSQL's binary COPY fields into one
// reusable buffer: no JS string or object per column, no JSON.parse. Every function here must give the
// very bytes of the reference path (lib/audit/verify-range.mjs: entryCanonicalFromText, i.e.
// canonicalJson(entryContent(rowToEntry(row))) UTF-8 encoded); verify-copy.test.ts checks it against
// the reference on PostgreSQL's own output. Plain JavaScript, so that worker threads run it without a loader.
//
// `data` (jsonb) arrives as PostgreSQL's jsonb text: keys sorted by length then bytes, ", " and ": "
// between tokens, strings escaped as JSON.stringify escapes them (\" \\ \b \f \n \r \t, \u00xx for the
// other control characters, everything else raw UTF-8), numbers as numeric's text. The fast path
// re-sorts keys by code unit, drops the blanks, keeps strings and plain integers as they are and writes
// other numbers as JSON.stringify(Number(text)) — what JSON.parse then JSON.stringify would. Anything
// it does not expect (a key with an escape or a character outside the BMP, another escape, a stray
// byte) makes it return -1, and the caller writes that column by the reference path instead.
import { canonicalParsedJson } from "./verify-range.mjs";

const Q = 0x22;
const BS = 0x5c;

/** The output: `buf[0..pos)`. Grown on demand (ensure). */
export const out = { buf: Buffer.allocUnsafe(1 << 16), pos: 0 };
/** Member spans of the objects being written (key start, key end, value end in out.buf, key prefix), a stack. */
let spans = new Int32Array(4 * 1024);
let order = new Int32Array(1024);
let top = 0;

export function ensure(n) {
  if (out.pos + n <= out.buf.length) return;
  const b = Buffer.allocUnsafe(Math.max(out.buf.length * 2, out.pos + n));
  out.buf.copy(b, 0, 0, out.pos);
  out.buf = b;
}

/** Appends ASCII bytes prepared with Buffer.from. */
export function put(bytes) {
  if (out.pos + bytes.length > out.buf.length) ensure(bytes.length);
  const o = out.pos;
  for (let i = 0; i < bytes.length; i++) out.buf[o + i] = bytes[i];
  out.pos = o + bytes.length;
}

const HEX = Buffer.from("0123456789abcdef");

/** A text column as JSON.stringify writes it (the bytes are valid UTF-8: PostgreSQL's text in UTF8). */
export function putText(s, a, b) {
  ensure(6 * (b - a) + 2);
  const w = out.buf;
  let o = out.pos;
  w[o++] = Q;
  for (let i = a; i < b; i++) {
    const c = s[i];
    if (c >= 0x20 && c !== Q && c !== BS) {
      w[o++] = c;
      continue;
    }
    w[o++] = BS;
    if (c === Q || c === BS) w[o++] = c;
    else if (c === 0x08) w[o++] = 0x62;
    else if (c === 0x09) w[o++] = 0x74;
    else if (c === 0x0a) w[o++] = 0x6e;
    else if (c === 0x0c) w[o++] = 0x66;
    else if (c === 0x0d) w[o++] = 0x72;
    else {
      w[o++] = 0x75;
      w[o++] = 0x30;
      w[o++] = 0x30;
      w[o++] = HEX[c >> 4];
      w[o++] = HEX[c & 15];
    }
  }
  w[o++] = Q;
  out.pos = o;
}

/** A uuid column (16 bytes) as its lowercase text in quotes. */
export function putUuid(s, a) {
  ensure(38);
  const w = out.buf;
  let o = out.pos;
  w[o++] = Q;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) w[o++] = 0x2d;
    const c = s[a + i];
    w[o++] = HEX[c >> 4];
    w[o++] = HEX[c & 15];
  }
  w[o++] = Q;
  out.pos = o;
}

/** A safe integer in decimal, as JSON.stringify writes it. */
export function putInt(n) {
  ensure(24);
  if (n < 0) {
    out.buf[out.pos++] = 0x2d;
    n = -n;
  }
  const w = out.buf;
  let o = out.pos;
  const start = o;
  do {
    w[o++] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  for (let i = start, j = o - 1; i < j; i++, j--) {
    const t = w[i];
    w[i] = w[j];
    w[j] = t;
  }
  out.pos = o;
}

function two(n) {
  out.buf[out.pos++] = 0x30 + Math.floor(n / 10);
  out.buf[out.pos++] = 0x30 + (n % 10);
}

/** The first and last millisecond (since 1970) written here; outside, the caller takes the reference path. */
export const ISO_MIN_MS = -30610224000000; // 1000-01-01T00:00:00.000Z
export const ISO_MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

/** Milliseconds since 1970 as Date#toISOString writes them (years 1000–9999), in quotes. */
export function putIsoMs(ms) {
  ensure(26);
  const days = Math.floor(ms / 86400000);
  let rem = ms - days * 86400000;
  // civil_from_days (H. Hinnant), exact for the proleptic Gregorian calendar
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out.buf[out.pos++] = Q;
  two(Math.floor(y / 100));
  two(y % 100);
  out.buf[out.pos++] = 0x2d;
  two(m);
  out.buf[out.pos++] = 0x2d;
  two(d);
  out.buf[out.pos++] = 0x54;
  const h = Math.floor(rem / 3600000);
  rem -= h * 3600000;
  const mi = Math.floor(rem / 60000);
  rem -= mi * 60000;
  const sec = Math.floor(rem / 1000);
  const milli = rem - sec * 1000;
  two(h);
  out.buf[out.pos++] = 0x3a;
  two(mi);
  out.buf[out.pos++] = 0x3a;
  two(sec);
  out.buf[out.pos++] = 0x2e;
  out.buf[out.pos++] = 0x30 + Math.floor(milli / 100);
  two(milli % 100);
  out.buf[out.pos++] = 0x5a;
  out.buf[out.pos++] = Q;
}

function ws(s, i) {
  let c = s[i];
  while (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) c = s[++i];
  return i;
}

/** The next backslash in bsBuf at or after the position last asked for (Infinity: none): one search per run of bytes without one. */
let bsBuf = null;
let bsAt = -1;

/**
 * A string token copied as it is if its escapes are JSON.stringify's; a key must need no escape and be in
 * the BMP. jsonb's text never holds a raw control character in a string (escape_json escapes them all).
 */
function str(s, i, end, key) {
  let j;
  if (key) {
    j = i + 1;
    let c = s[j];
    while (c !== Q && c !== BS && c >= 0x20 && c < 0xf0 && j < end) c = s[++j];
    if (c !== Q || j >= end) return -1;
  } else {
    j = s.indexOf(Q, i + 1);
    if (j < 0 || j >= end) return -1;
    if (bsBuf !== s || bsAt <= i) {
      bsBuf = s;
      const k = s.indexOf(BS, i + 1);
      bsAt = k < 0 ? Infinity : k;
    }
    if (bsAt < j) return escaped(s, i, end);
  }
  j++;
  const w = out.buf;
  let o = out.pos;
  for (let x = i; x < j; x++) w[o++] = s[x];
  out.pos = o;
  return j;
}

/** A value string with escapes: copied if they are the ones JSON.stringify writes. */
function escaped(s, i, end) {
  const w = out.buf;
  let o = out.pos;
  w[o++] = Q;
  i++;
  for (;;) {
    if (i >= end) return -1;
    const c = s[i];
    if (c === Q) {
      w[o++] = Q;
      out.pos = o;
      return i + 1;
    }
    if (c < 0x20) return -1;
    if (c === BS) {
      const d = s[i + 1];
      if (d === Q || d === BS || d === 0x62 || d === 0x66 || d === 0x6e || d === 0x72 || d === 0x74) {
        w[o++] = BS;
        w[o++] = d;
        i += 2;
        continue;
      }
      // \u00xx (lowercase hex) for a control character that has no short escape
      const h = s[i + 5];
      const lo = h >= 0x30 && h <= 0x39 ? h - 0x30 : h >= 0x61 && h <= 0x66 ? h - 0x57 : -1;
      if (d !== 0x75 || s[i + 2] !== 0x30 || s[i + 3] !== 0x30 || (s[i + 4] !== 0x30 && s[i + 4] !== 0x31) || lo < 0) return -1;
      const v = ((s[i + 4] - 0x30) << 4) | lo;
      if (v === 0 || v === 8 || v === 9 || v === 10 || v === 12 || v === 13) return -1;
      for (let k = 0; k < 6; k++) w[o++] = s[i + k];
      i += 6;
      continue;
    }
    w[o++] = c;
    i++;
  }
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function num(s, i, end) {
  let j = i;
  if (s[j] === 0x2d) j++;
  const d0 = j;
  while (j < end && s[j] >= 0x30 && s[j] <= 0x39) j++;
  const digits = j - d0;
  let k = j;
  while (k < end && ((s[k] >= 0x30 && s[k] <= 0x39) || s[k] === 0x2e || s[k] === 0x65 || s[k] === 0x45 || s[k] === 0x2b || s[k] === 0x2d)) k++;
  if (k === j && digits >= 1 && digits <= 15 && (s[d0] !== 0x30 || digits === 1) && !(digits === 1 && s[d0] === 0x30 && d0 > i)) {
    // a plain integer of at most 15 digits: JSON.stringify(Number(t)) === t
    const w = out.buf;
    let o = out.pos;
    for (let x = i; x < j; x++) w[o++] = s[x];
    out.pos = o;
    return j;
  }
  const t = s.latin1Slice(i, k);
  if (!NUMBER.test(t)) return -1;
  const v = JSON.stringify(Number(t));
  ensure(v.length);
  out.pos += out.buf.latin1Write(v, out.pos);
  return k;
}

function lit(s, i, bytes) {
  for (let k = 0; k < bytes.length; k++) if (s[i + k] !== bytes[k]) return -1;
  put(bytes);
  return i + bytes.length;
}
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

function value(s, i, end) {
  i = ws(s, i);
  const c = s[i];
  if (c === Q) return str(s, i, end, false);
  if (c === 0x7b) return object(s, i, end);
  if (c === 0x5b) return array(s, i, end);
  if (c === 0x74) return lit(s, i, TRUE);
  if (c === 0x66) return lit(s, i, FALSE);
  if (c === 0x6e) return lit(s, i, NULL);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return num(s, i, end);
  return -1;
}

function array(s, i, end) {
  out.buf[out.pos++] = 0x5b;
  i = ws(s, i + 1);
  if (s[i] === 0x5d) {
    out.buf[out.pos++] = 0x5d;
    return i + 1;
  }
  for (;;) {
    i = value(s, i, end);
    if (i < 0) return -1;
    i = ws(s, i);
    if (s[i] === 0x2c) {
      out.buf[out.pos++] = 0x2c;
      i++;
    } else if (s[i] === 0x5d) {
      out.buf[out.pos++] = 0x5d;
      return i + 1;
    } else return -1;
  }
}

/**
 * Compares two keys written in out.buf (spans with their quotes) by the bytes between the quotes: the
 * code-unit order of JavaScript's sort for BMP text without escapes.
 */
function cmpKeys(w, a, ae, b, be) {
  a++;
  ae--;
  b++;
  be--;
  const n = Math.min(ae - a, be - b);
  for (let k = 0; k < n; k++) if (w[a + k] !== w[b + k]) return w[a + k] - w[b + k];
  return ae - a - (be - b);
}

function object(s, i, end) {
  const open = out.pos;
  out.buf[out.pos++] = 0x7b;
  i = ws(s, i + 1);
  if (s[i] === 0x7d) {
    out.buf[out.pos++] = 0x7d;
    return i + 1;
  }
  const base = top;
  let sorted = true;
  for (;;) {
    if (s[i] !== Q) return -1;
    const ks = out.pos;
    i = str(s, i, end, true);
    if (i < 0) return -1;
    const ke = out.pos;
    i = ws(s, i);
    if (s[i] !== 0x3a) return -1;
    out.buf[out.pos++] = 0x3a;
    i = value(s, i + 1, end);
    if (i < 0) return -1;
    if (top + 4 > spans.length) {
      const g = new Int32Array(spans.length * 2);
      g.set(spans);
      spans = g;
    }
    // the key's first three bytes (0 past its end: key bytes are ≥ 0x20), compared before the rest
    const w = out.buf;
    const pre = ((ke - ks > 2 ? w[ks + 1] : 0) << 16) | ((ke - ks > 3 ? w[ks + 2] : 0) << 8) | (ke - ks > 4 ? w[ks + 3] : 0);
    if (top > base && (spans[top - 1] > pre || (spans[top - 1] === pre && cmpKeys(w, spans[top - 4], spans[top - 3], ks, ke) > 0))) sorted = false;
    spans[top++] = ks;
    spans[top++] = ke;
    spans[top++] = out.pos;
    spans[top++] = pre;
    i = ws(s, i);
    if (s[i] === 0x2c) {
      out.buf[out.pos++] = 0x2c;
      i = ws(s, i + 1);
    } else if (s[i] === 0x7d) break;
    else return -1;
  }
  if (!sorted) reorder(open + 1, base);
  top = base;
  out.buf[out.pos++] = 0x7d;
  return i + 1;
}

/** Writes the members of the object at out.buf[from..pos) (spans from `base`) again, keys in byte order. */
function reorder(from, base) {
  const n = (top - base) / 4;
  if (order.length < n) order = new Int32Array(n * 2);
  const w = out.buf;
  for (let k = 0; k < n; k++) {
    // insertion sort of member indexes by key
    let j = k;
    const ks = spans[base + 4 * k];
    const ke = spans[base + 4 * k + 1];
    const pre = spans[base + 4 * k + 3];
    while (j > 0) {
      const p = base + 4 * order[j - 1];
      if (spans[p + 3] < pre || (spans[p + 3] === pre && cmpKeys(w, spans[p], spans[p + 1], ks, ke) <= 0)) break;
      order[j] = order[j - 1];
      j--;
    }
    order[j] = k;
  }
  // the members are appended in order after the object, then moved back over it (copyWithin: no Buffer#copy overhead)
  const len = out.pos - from;
  ensure(len + 1);
  const w2 = out.buf;
  let o = out.pos;
  for (let k = 0; k < n; k++) {
    const p = base + 4 * order[k];
    if (k > 0) w2[o++] = 0x2c;
    const a = spans[p];
    const b = spans[p + 2];
    if (b - a > 48) {
      w2.copyWithin(o, a, b);
      o += b - a;
    } else for (let x = a; x < b; x++) w2[o++] = w2[x];
  }
  w2.copyWithin(from, out.pos, o);
}

/**
 * Appends the canonical JSON of a jsonb text s[a..b) (without the binary format's version byte).
 * Fast path, or the reference path (JSON.parse and canonicalParsedJson) for what it does not expect.
 */
export function putJsonb(s, a, b) {
  const start = out.pos;
  ensure(2 * (b - a) + 64);
  top = 0;
  let i = value(s, a, b);
  if (i >= 0) i = ws(s, i);
  if (i === b) return true;
  out.pos = start;
  const text = canonicalParsedJson(JSON.parse(s.toString("utf8", a, b)));
  ensure(3 * text.length);
  out.pos += out.buf.write(text, out.pos, "utf8");
  return false;
}
