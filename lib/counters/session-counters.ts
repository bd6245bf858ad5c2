/**
 * Exact per-session counters (issue 15 §3), kept in the session row (`sessions.counters`, jsonb, not
 * indexed) and written whole by the decision commit, which checks the session's step count: a decision
 * counts from the state it saw, and a session moved meanwhile (another node) is re-read and re-decided.
 *
 * Stored shape (compact: it travels in every allowed decision's commit):
 *   { "t": { "<tool key>": <allowed calls> },
 *     "b": <epoch ms>,
 *     "r": [ ["<12 base64url chars of SHA-256(tool key, arguments hash)>", <ms after b of each allowed call in the last 60 s>…], … ] }
 * Only allowed steps count (a denied attempt does not). Bounds: at most RECENT_KEYS identical-call keys
 * (the key whose latest call is oldest is dropped) and RECENT_PER_KEY times per key: `identicalCalls`
 * saturates at RECENT_PER_KEY.
 */
import { hash } from "node:crypto";

export const IDENTICAL_WINDOW_MS = 60_000;
export const RECENT_KEYS = 32;
export const RECENT_PER_KEY = 32;

export interface StoredSessionCounters {
  t?: Record<string, number>;
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
}

/** 72 bits: a collision only makes two calls count as one kind (an earlier deny), never evades a limit. */
export function identicalKey(toolKey: string, argsHash: string): string {
  return hash("sha256", `${toolKey}\n${argsHash}`, "base64url").slice(0, 12);
}

/** The absolute times (ascending) of a key's calls still in the window. */
function inWindow(c: StoredSessionCounters | undefined, key: string, now: number): number[] {
  const out: number[] = [];
  const entry = c?.r?.find((e) => e[0] === key);
  if (!entry) return out;
  const from = now - IDENTICAL_WINDOW_MS;
  const base = c?.b ?? 0;
  for (let i = 1; i < entry.length; i++) if (base + (entry[i] as number) > from) out.push(base + (entry[i] as number));
  return out;
}

export function sessionCounterView(c: StoredSessionCounters | undefined, toolKey: string, argsHash: string, now: number): SessionCounterView {
  const times = inWindow(c, identicalKey(toolKey, argsHash), now);
  return { toolCalls: c?.t?.[toolKey] ?? 0, identicalCalls: times.length, identicalTimes: times };
}

/**
 * The counters after an allowed call (a new object; the old one is the cached state and stays as it is).
 * `b` is set once (the session's first counted call; earlier if another node's clock was behind) and
 * offsets are kept relative to it, so unchanged lists are reused as they are.
 */
export function countAllowed(c: StoredSessionCounters | undefined, toolKey: string, argsHash: string, now: number): StoredSessionCounters {
  const t = { ...c?.t, [toolKey]: (c?.t?.[toolKey] ?? 0) + 1 };
  const key = identicalKey(toolKey, argsHash);
  const old = c?.r ?? [];
  let b = c?.b ?? now;
  let shift = 0;
  if (now < b) {
    shift = b - now; // a clock behind the one that set b: move b back, every offset forward
    b = now;
  }
  const from = now - IDENTICAL_WINDOW_MS - b; // offsets above this are in the window
  const r: Array<[string, ...number[]]> = [];
  let oldest = -1;
  let oldestLatest = Infinity;
  let mine: number[] = [];
  for (const e of old) {
    const latest = (e[e.length - 1] as number) + shift;
    if (e.length < 2 || latest <= from) continue;
    const kept = shift === 0 && e[1] > from ? e : keep(e, shift, from);
    if (e[0] === key) {
      mine = kept.slice(1) as number[];
      continue;
    }
    if (latest < oldestLatest) {
      oldestLatest = latest;
      oldest = r.length;
    }
    r.push(kept);
  }
  if (r.length >= RECENT_KEYS && oldest >= 0) r.splice(oldest, 1);
  mine.push(now - b);
  // Sorted: times written by another node's clock may be later than this one's.
  if (mine.length > 1 && mine[mine.length - 2] > mine[mine.length - 1]) mine.sort((x, y) => x - y);
  r.push([key, ...(mine.length > RECENT_PER_KEY ? mine.slice(mine.length - RECENT_PER_KEY) : mine)]);
  return { t, b, r };
}

function keep(e: [string, ...number[]], shift: number, from: number): [string, ...number[]] {
  const out: [string, ...number[]] = [e[0]];
  for (let i = 1; i < e.length; i++) {
    const x = (e[i] as number) + shift;
    if (x > from) out.push(x);
  }
  return out;
}
