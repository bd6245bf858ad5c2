import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  countAllowed,
  identicalKey,
  IDENTICAL_WINDOW_MS,
  RECENT_KEYS,
  RECENT_PER_KEY,
  sessionCounterView,
  type StoredSessionCounters,
} from "./session-counters.ts";

// The counters were stored as { t, b, r: [[key, offsets after b…]…] } (arrays of numbers in jsonb); they are
// now { t, w: "<base> <key><offsets>…" } (one string). This is the previous implementation, verbatim in
// what it computes: the new one must give the same view of every key after any sequence of calls, also
// with times going back (another node's clock behind) and when it continues from counters stored in the
// previous shape.
type Old = { t?: Record<string, number>; b?: number; r?: Array<[string, ...number[]]> };

function oldView(c: Old | undefined, key: string, now: number): number[] {
  const out: number[] = [];
  const entry = c?.r?.find((e) => e[0] === key);
  if (!entry) return out;
  const from = now - IDENTICAL_WINDOW_MS;
  const base = c?.b ?? 0;
  for (let i = 1; i < entry.length; i++) if (base + (entry[i] as number) > from) out.push(base + (entry[i] as number));
  return out;
}

function oldCount(c: Old | undefined, toolKey: string, key: string, now: number): Old {
  const t = { ...c?.t, [toolKey]: (c?.t?.[toolKey] ?? 0) + 1 };
  const old = c?.r ?? [];
  let b = c?.b ?? now;
  let shift = 0;
  if (now < b) {
    shift = b - now;
    b = now;
  }
  const from = now - IDENTICAL_WINDOW_MS - b;
  const r: Array<[string, ...number[]]> = [];
  let oldest = -1;
  let oldestLatest = Infinity;
  let mine: number[] = [];
  for (const e of old) {
    const latest = (e[e.length - 1] as number) + shift;
    if (e.length < 2 || latest <= from) continue;
    const kept: [string, ...number[]] = [e[0]];
    for (let i = 1; i < e.length; i++) if ((e[i] as number) + shift > from) kept.push((e[i] as number) + shift);
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
  if (mine.length > 1 && mine[mine.length - 2] > mine[mine.length - 1]) mine.sort((x, y) => x - y);
  r.push([key, ...(mine.length > RECENT_PER_KEY ? mine.slice(mine.length - RECENT_PER_KEY) : mine)]);
  return { t, b, r };
}

const H = (i: number) => i.toString(16).padStart(64, "0");
const TOOLS = ["crm/get_customer", "files/read_file", "mail/send_email"];
const back = fc.integer({ min: -5_000, max: 0 }); // another node's clock, behind
const step = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(0) }, // ties between keys' latest calls
    { weight: 40, arbitrary: fc.integer({ min: 0, max }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70_000 }) }, // out of the window
    { weight: 1, arbitrary: back },
  );
const calls = (tools: number, args: number, maxStep: number) =>
  fc.array(fc.record({ tool: fc.constantFrom(...TOOLS.slice(0, tools)), args: fc.integer({ min: 0, max: args }), step: step(maxStep) }), {
    minLength: 1,
    maxLength: 150,
    size: "max",
  });
// Many keys in the window (the RECENT_KEYS bound), a loop on few keys (the RECENT_PER_KEY bound), a mix
// with long pauses (times leaving the window; a base older than REBASE_MS is replaced).
const sequences = fc.oneof(
  calls(3, 60, 200),
  calls(1, 1, 300),
  calls(3, 5, 3_000),
  fc.array(fc.record({ tool: fc.constantFrom(...TOOLS), args: fc.integer({ min: 0, max: 3 }), step: fc.integer({ min: -5_000, max: 30 * 60_000 }) }), {
    maxLength: 40,
  }),
);

describe("session counters: the compact window string counts exactly as the previous arrays did", () => {
  it("same view of every key after any sequence of allowed calls", () => {
    fc.assert(
      fc.property(sequences, fc.integer({ min: 0, max: 40 }), (seq, switchAt) => {
        let now = 1_796_000_000_000;
        let prev: Old | undefined;
        let next: StoredSessionCounters | undefined;
        const keys = new Map<string, [string, string]>();
        seq.forEach((c, i) => {
          now += c.step;
          const key = identicalKey(c.tool, H(c.args));
          keys.set(key, [c.tool, H(c.args)]);
          // Continuing from counters stored in the previous shape (a session written before the change).
          if (i === switchAt) next = prev;
          const v = sessionCounterView(next, c.tool, H(c.args), now);
          expect(v.identicalTimes).toEqual(oldView(prev, key, now));
          expect(v.toolCalls).toBe(prev?.t?.[c.tool] ?? 0);
          prev = oldCount(prev, c.tool, key, now);
          next = countAllowed(next, c.tool, H(c.args), now, v.key);
          // The view of every key either shape holds, and of the one just called, at this time (at the end
          // also later, as the times leave the window), is the same.
          const at = i === seq.length - 1 ? [now, now + 1_000, now + 59_999] : [now];
          for (const k of new Set([
            key,
            ...prev.r!.map((e) => e[0]),
            ...next
              .w!.split(" ")
              .slice(1)
              .map((e) => e.slice(0, 12)),
          ])) {
            const [tool, args] = keys.get(k)!;
            for (const later of at) {
              const view = sessionCounterView(next, tool, args, later);
              expect(view.identicalTimes).toEqual(oldView(prev, k, later));
              expect(view.identicalCalls).toBe(view.identicalTimes.length);
            }
          }
          expect(next.t).toEqual(prev.t);
        });
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});
