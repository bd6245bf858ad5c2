/**
 * Exact per-session counters (issue 15 §3), kept in the session row (`sessions.counters`, jsonb, not
 * indexed) and written whole by the decision commit, which checks the session's step count: a decision
 * counts from the state it saw, and a session moved meanwhile (another node) is re-read and re-decided.
 *
 * Stored shape (compact: it travels in every allowed decision's commit and is rewritten with the row):
 *   { "t": { "<tool key>": <allowed calls> },
 *     "w": "<base> <key><offset>,<offset>… <key><offset>…" }
 * `w`, the identical-call window, is one string (one jsonb scalar: PostgreSQL parses and stores it as
 * text, where a nested array of numbers cost a numeric per time): `<base>` is an epoch ms in base 36,
 * then per (tool, arguments hash) with an allowed call in the last 60 s, separated by single spaces:
 * its key (KEY_CHARS base64url characters of SHA-256(tool key, arguments hash)) followed by the times
 * of its allowed calls in the window, in ms after the base in base 36, ascending, separated by commas.
 * Entries are in the order of their latest call (the one just counted last). The base is kept while it
 * is less than REBASE_MS old, so entries that did not change are copied as they are.
 * Sessions written before this shape (`"b": <epoch ms>, "r": [[key, offset…]…]`) are read as well and
 * rewritten in it at their next allowed call.
 *
 * Only allowed steps count (a denied attempt does not). Bounds: at most RECENT_KEYS identical-call keys
 * (the key whose latest call is oldest is dropped) and RECENT_PER_KEY times per key: `identicalCalls`
 * saturates at RECENT_PER_KEY.
 */
import { hash } from "node:crypto";

export const IDENTICAL_WINDOW_MS = 60_000;
export const RECENT_KEYS = 32;
export const RECENT_PER_KEY = 32;
const KEY_CHARS = 12;
/** Offsets stay under 36^4 ms (28 min): four base-36 digits at most. */
const REBASE_MS = 20 * 60_000;

export interface StoredSessionCounters {
  t?: Record<string, number>;
  /** The identical-call window (see above). */
  w?: string;
  /** The shape before `w` (read, never written): base epoch ms, and [key, offsets after b…] per key. */
  b?: number;
  r?: Array<[string, ...number[]]>;
  /** Calls spent of each delegation call budget (lib/delegation/budget.ts), carried over by it. */
  d?: Record<string, number>;
}

export interface SessionCounterView {
  /** Allowed calls of this tool (resource, prompt) in this session before this one. */
  toolCalls: number;
  /** Allowed calls of this tool with the same arguments hash in the last 60 s (before this one). */
  identicalCalls: number;
  /** Their times (epoch ms, ascending): when each leaves the window (retry_after). */
  identicalTimes: number[];
  /** identicalKey(tool key, arguments hash): give it to countAllowed for the same call (not hashed twice). */
  key: string;
}

/** 72 bits: a collision only makes two calls count as one kind (an earlier deny), never evades a limit. */
export function identicalKey(toolKey: string, argsHash: string): string {
  return hash("sha256", `${toolKey}\n${argsHash}`, "base64url").slice(0, KEY_CHARS);
}

/** The window string of stored counters (the earlier shape converted), or "" without any. */
function windowOf(c: StoredSessionCounters | undefined): string {
  if (!c) return "";
  if (c.w !== undefined) return c.w;
  if (!c.r || c.r.length === 0) return "";
  const base = c.b ?? 0;
  let w = base.toString(36);
  for (const e of c.r) {
    if (e.length < 2) continue;
    const times: number[] = [];
    for (let i = 1; i < e.length; i++) times.push(e[i] as number);
    times.sort((x, y) => x - y);
    w += ` ${e[0]}${times.map((x) => x.toString(36)).join(",")}`;
  }
  return w;
}

/** The absolute times after `from` (ascending) of the entry of `w` from `start` (its key's first character) to `end`, onto `out`. */
function timesOf(w: string, base: number, start: number, end: number, from: number, out: number[]): void {
  for (let i = start + KEY_CHARS; i < end;) {
    let j = w.indexOf(",", i);
    if (j < 0 || j > end) j = end;
    const t = base + parseInt(w.slice(i, j), 36);
    if (t > from) out.push(t);
    i = j + 1;
  }
}

export function sessionCounterView(c: StoredSessionCounters | undefined, toolKey: string, argsHash: string, now: number): SessionCounterView {
  const toolCalls = c?.t?.[toolKey] ?? 0;
  const key = identicalKey(toolKey, argsHash);
  const w = windowOf(c);
  const times: number[] = [];
  if (w !== "") {
    const at = w.indexOf(` ${key}`);
    if (at >= 0) {
      let end = w.indexOf(" ", at + 1);
      if (end < 0) end = w.length;
      timesOf(w, parseInt(w.slice(0, w.indexOf(" ")), 36), at + 1, end, now - IDENTICAL_WINDOW_MS, times);
    }
  }
  return { toolCalls, identicalCalls: times.length, identicalTimes: times, key };
}

/**
 * The counters after an allowed call (a new object; the old one is the cached state and stays as it is;
 * members other than `t` and `w` are kept). Times written by another node whose clock is behind or
 * ahead of this one's keep their order (each key's times are sorted; a clock behind the base rebases).
 */
export function countAllowed(
  c: StoredSessionCounters | undefined,
  toolKey: string,
  argsHash: string,
  now: number,
  key = identicalKey(toolKey, argsHash),
): StoredSessionCounters {
  const t = Object.assign({}, c?.t);
  t[toolKey] = (t[toolKey] ?? 0) + 1;
  const w = windowOf(c);
  const from = now - IDENTICAL_WINDOW_MS;
  const sp = w.indexOf(" ");
  const oldBase = w === "" ? now : parseInt(sp < 0 ? w : w.slice(0, sp), 36);
  // A new base when the old one is too far back for short offsets, or ahead of this clock.
  const base = now < oldBase || now - oldBase > REBASE_MS ? from : oldBase;
  const rebased = base !== oldBase;

  // The other keys still in the window (raw entries when unchanged), and this key's times. Times are
  // ascending within an entry: its first and last tell whether it changes.
  const kept: string[] = [];
  const latest: number[] = [];
  const mine: number[] = [];
  for (let s = sp < 0 ? -1 : sp + 1; s > 0 && s < w.length;) {
    let e = w.indexOf(" ", s);
    if (e < 0) e = w.length;
    const k = s + KEY_CHARS;
    let firstEnd = w.indexOf(",", k);
    if (firstEnd < 0 || firstEnd > e) firstEnd = e;
    const first = oldBase + parseInt(w.slice(k, firstEnd), 36);
    const last = firstEnd === e ? first : oldBase + parseInt(w.slice(w.lastIndexOf(",", e - 1) + 1, e), 36);
    if (last > from) {
      if (w.startsWith(key, s)) timesOf(w, oldBase, s, e, from, mine);
      else {
        // Unchanged (no time left the window, same base): copied as it is.
        if (first > from && !rebased) kept.push(w.slice(s, e));
        else {
          const times: number[] = [];
          timesOf(w, oldBase, s, e, from, times);
          kept.push(entry(w.slice(s, k), times, base));
        }
        latest.push(last);
      }
    }
    s = e + 1;
  }
  if (kept.length >= RECENT_KEYS) {
    let oldest = 0;
    for (let i = 1; i < latest.length; i++) if (latest[i] < latest[oldest]) oldest = i;
    kept.splice(oldest, 1);
  }
  mine.push(now);
  // Sorted: times written by another node's clock may be later than this one's.
  if (mine.length > 1 && mine[mine.length - 2] > now) mine.sort((x, y) => x - y);
  kept.push(entry(key, mine.length > RECENT_PER_KEY ? mine.slice(mine.length - RECENT_PER_KEY) : mine, base));
  const out: StoredSessionCounters = Object.assign({}, c, { t, w: `${base.toString(36)} ${kept.join(" ")}` });
  if (out.r !== undefined || out.b !== undefined) {
    delete out.r;
    delete out.b;
  }
  return out;
}

function entry(key: string, times: number[], base: number): string {
  let s = key;
  for (let i = 0; i < times.length; i++) s += (i ? "," : "") + (times[i] - base).toString(36);
  return s;
}
