/**
 * Exact per-session counters (issue 15 §3), kept in the session row (`sessions.counters`, jsonb, not
 * indexed) and written whole by the decision commit, which checks the session's step count: a decision
 * counts from the state it saw, and a session moved meanwhile (another node) is re-read and re-decided.
 *
 * Stored shape (compact: it travels in every allowed decision's commit):
 *   { "t": { "<tool key>": <allowed calls> },
 *     "b": <epoch ms>,
 *     "r": { "<12 base64url chars of SHA-256(tool key, arguments hash)>": [<ms after b of each allowed call in the last 60 s>] } }
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
  r?: Record<string, number[]>;
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
const inWindow = (c: StoredSessionCounters | undefined, key: string, now: number): number[] => {
  const offsets = c?.r?.[key];
  if (!offsets || offsets.length === 0) return [];
  const from = now - IDENTICAL_WINDOW_MS;
  const base = c?.b ?? 0;
  const out: number[] = [];
  for (const o of offsets) if (base + o > from) out.push(base + o);
  return out;
};

export function sessionCounterView(c: StoredSessionCounters | undefined, toolKey: string, argsHash: string, now: number): SessionCounterView {
  const times = inWindow(c, identicalKey(toolKey, argsHash), now);
  return { toolCalls: c?.t?.[toolKey] ?? 0, identicalCalls: times.length, identicalTimes: times };
}

/** The counters after an allowed call (a new object; the old one is the cached state and stays as it is). */
export function countAllowed(c: StoredSessionCounters | undefined, toolKey: string, argsHash: string, now: number): StoredSessionCounters {
  const t = { ...c?.t, [toolKey]: (c?.t?.[toolKey] ?? 0) + 1 };
  const key = identicalKey(toolKey, argsHash);
  const kept = new Map<string, number[]>();
  let oldestKey: string | null = null;
  let oldestLatest = Infinity;
  for (const k of Object.keys(c?.r ?? {})) {
    if (k === key) continue;
    const times = inWindow(c, k, now);
    if (times.length === 0) continue;
    kept.set(k, times);
    const latest = times[times.length - 1];
    if (latest < oldestLatest) {
      oldestLatest = latest;
      oldestKey = k;
    }
  }
  if (kept.size >= RECENT_KEYS && oldestKey !== null) kept.delete(oldestKey);
  // Sorted: times written by another node's clock may be later than this one's.
  const mine = [...inWindow(c, key, now), now].sort((a, b) => a - b);
  kept.set(key, mine.length > RECENT_PER_KEY ? mine.slice(mine.length - RECENT_PER_KEY) : mine);
  let b = now;
  for (const times of kept.values()) if (times[0] < b) b = times[0];
  const r: Record<string, number[]> = {};
  for (const [k, times] of kept) r[k] = times.map((x) => x - b);
  return { t, b, r };
}
