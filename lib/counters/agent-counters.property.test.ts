import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AgentCounters, Window, type AgentCounterView } from "./agent-counters.ts";

// The per-agent windows were sums over up to 60 buckets per view; they are now running sums whose edge
// moves with time. This is the previous implementation, verbatim in what it computes: the new one must
// give the same counts and retry-after seconds after any sequence of additions (also of old seconds, as
// another node's rows arrive late), views, and prunes, also with times going back.
class OldWindow {
  secs = new Map<number, number>();
  mins = new Map<number, number>();
  add(second: number, n: number): void {
    this.secs.set(second, (this.secs.get(second) ?? 0) + n);
    const m = Math.floor(second / 60);
    this.mins.set(m, (this.mins.get(m) ?? 0) + n);
  }
  minute(nowSec: number): number {
    let n = 0;
    for (const [s, c] of this.secs) if (s > nowSec - 60) n += c;
    return n;
  }
  hour(nowSec: number): number {
    const nowMin = Math.floor(nowSec / 60);
    let n = 0;
    for (const [m, c] of this.mins) if (m > nowMin - 60) n += c;
    return n;
  }
  minuteDrop(nowMs: number, target: number): number {
    return oldDrop(this.secs, Math.floor(nowMs / 1000) - 59, this.minute(Math.floor(nowMs / 1000)), target, (s) => (s + 60) * 1000, nowMs);
  }
  hourDrop(nowMs: number, target: number): number {
    const nowSec = Math.floor(nowMs / 1000);
    return oldDrop(this.mins, Math.floor(nowSec / 60) - 59, this.hour(nowSec), target, (m) => (m + 60) * 60_000, nowMs);
  }
  prune(nowSec: number): void {
    for (const s of this.secs.keys()) if (s <= nowSec - 60) this.secs.delete(s);
    const nowMin = Math.floor(nowSec / 60);
    for (const m of this.mins.keys()) if (m <= nowMin - 60) this.mins.delete(m);
  }
}

function oldDrop(buckets: Map<number, number>, first: number, count: number, target: number, leavesAt: (b: number) => number, nowMs: number): number {
  if (count <= target) return 0;
  const keys = [...buckets.keys()].filter((b) => b >= first).sort((a, b) => a - b);
  let left = count;
  for (const b of keys) {
    left -= buckets.get(b) ?? 0;
    if (left <= target) return Math.max(1, Math.ceil((leavesAt(b) - nowMs) / 1000));
  }
  return Math.max(1, Math.ceil((leavesAt(keys[keys.length - 1] ?? first) - nowMs) / 1000));
}

const T0 = 1_800_000_000_000;
// Time steps: mostly forward (ms to minutes, sometimes over an hour), sometimes back (a clock behind).
const step = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 200_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 4_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -120_000, max: 0 }) },
);
const op = fc.oneof(
  fc.record({
    k: fc.constant("add" as const),
    dt: step,
    back: fc.oneof(fc.constant(0), fc.integer({ min: -4_000, max: 5 })),
    n: fc.integer({ min: -2, max: 3 }),
  }),
  fc.record({ k: fc.constant("view" as const), dt: step, target: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ k: fc.constant("prune" as const), dt: step }),
);

describe("per-agent windows as running sums", () => {
  it("give the same minute and hour counts and retry-after seconds as the bucket sums, after any sequence", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const a = new Window();
        const b = new OldWindow();
        let now = T0;
        for (const o of ops) {
          now += o.dt;
          const sec = Math.floor(now / 1000);
          if (o.k === "add") {
            a.add(sec + o.back, o.n);
            b.add(sec + o.back, o.n);
          } else if (o.k === "prune") {
            a.prune(sec);
            b.prune(sec);
            expect([...a.secs].sort()).toEqual([...b.secs].sort());
            expect([...a.mins].sort()).toEqual([...b.mins].sort());
          } else {
            expect([a.minute(sec), a.hour(sec)]).toEqual([b.minute(sec), b.hour(sec)]);
            expect([a.minuteDrop(now, o.target), a.hourDrop(now, o.target)]).toEqual([b.minuteDrop(now, o.target), b.hourDrop(now, o.target)]);
          }
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  it("count, uncount and view per agent and per agent on a tool as before, across prunes", () => {
    const agents = ["a1", "a2"];
    const tools = ["t1", "t2", "x\ty", "l".repeat(201)];
    const call = fc.record({
      k: fc.constantFrom("count" as const, "uncount" as const, "view" as const, "prune" as const),
      dt: step,
      agent: fc.constantFrom(...agents),
      tool: fc.constantFrom(...tools),
      target: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 200 }), (calls) => {
        const c = new AgentCounters();
        const byAgent = new Map<string, OldWindow>();
        const byTool = new Map<string, OldWindow>();
        const w = (m: Map<string, OldWindow>, k: string) => m.get(k) ?? m.set(k, new OldWindow()).get(k)!;
        const counted: Array<{ c: ReturnType<AgentCounters["count"]>; agent: string; tool: string }> = [];
        let now = T0;
        for (const o of calls) {
          now += o.dt;
          const sec = Math.floor(now / 1000);
          if (o.k === "count") {
            counted.push({ c: c.count(o.agent, o.tool, now), agent: o.agent, tool: o.tool });
            w(byAgent, o.agent).add(sec, 1);
            w(byTool, `${o.agent}|${o.tool}`).add(sec, 1);
          } else if (o.k === "uncount" && counted.length) {
            const x = counted.shift()!;
            c.uncount(x.c);
            w(byAgent, x.agent).add(x.c.second, -1);
            w(byTool, `${x.agent}|${x.tool}`).add(x.c.second, -1);
          } else if (o.k === "prune") {
            (c as unknown as { prune(nowMs: number): void }).prune(now);
            for (const m of [byAgent, byTool]) for (const x of m.values()) x.prune(sec);
          } else if (o.k === "view") {
            const a = byAgent.get(o.agent);
            const t = byTool.get(`${o.agent}|${o.tool}`);
            const want: AgentCounterView = { minute: a?.minute(sec) ?? 0, hour: a?.hour(sec) ?? 0, toolMinute: t?.minute(sec) ?? 0 };
            expect(c.view(o.agent, o.tool, now)).toEqual(want);
            expect(c.retryAfter(o.agent, o.tool, "minute", o.target, now)).toBe(a?.minuteDrop(now, o.target) ?? 0);
            expect(c.retryAfter(o.agent, o.tool, "hour", o.target, now)).toBe(a?.hourDrop(now, o.target) ?? 0);
            expect(c.retryAfter(o.agent, o.tool, "toolMinute", o.target, now)).toBe(t?.minuteDrop(now, o.target) ?? 0);
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
