import { describe, expect, it } from "vitest";
import { countAllowed, identicalKey, RECENT_KEYS, RECENT_PER_KEY, sessionCounterView, type StoredSessionCounters } from "./session-counters.ts";

const H = "a".repeat(64);
const H2 = "b".repeat(64);

describe("session counters", () => {
  it("counts allowed calls per tool, and identical calls in the last 60 s", () => {
    let c: StoredSessionCounters | undefined;
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) c = countAllowed(c, "crm/get_customer", H, t0 + i * 1000);
    c = countAllowed(c, "crm/get_customer", H2, t0 + 10_000);
    const v = sessionCounterView(c, "crm/get_customer", H, t0 + 10_500);
    expect(v.toolCalls).toBe(11);
    expect(v.identicalCalls).toBe(10);
    expect(v.identicalTimes[0]).toBe(t0);
    // The first call leaves the window 60 s after it was made.
    expect(sessionCounterView(c, "crm/get_customer", H, t0 + 60_000).identicalCalls).toBe(9);
    expect(sessionCounterView(c, "crm/get_customer", H, t0 + 70_000).identicalCalls).toBe(0);
    expect(sessionCounterView(c, "crm/other", H, t0).toolCalls).toBe(0);
  });

  it("stays bounded: keys and times per key", () => {
    let c: StoredSessionCounters | undefined;
    for (let i = 0; i < 100; i++) c = countAllowed(c, `s/t${i}`, H, 1_000 + i);
    // The RECENT_KEYS keys called last are remembered, the others forgotten.
    const remembered = Array.from({ length: 100 }, (_, i) => sessionCounterView(c, `s/t${i}`, H, 1_100).identicalCalls);
    expect(remembered.filter((n) => n > 0)).toHaveLength(RECENT_KEYS);
    expect(remembered.slice(100 - RECENT_KEYS).every((n) => n === 1)).toBe(true);
    expect(sessionCounterView(c, "s/t99", H, 1_100).identicalTimes).toEqual([1_099]);
    expect(c!.w!.split(" ").slice(1)).toHaveLength(RECENT_KEYS);
    expect(c!.w!.includes(identicalKey("s/t99", H))).toBe(true);
    expect(JSON.stringify(c).length).toBeLessThan(2_000);
    for (let i = 0; i < 100; i++) c = countAllowed(c, "s/x", H, 2_000 + i);
    expect(sessionCounterView(c, "s/x", H, 2_100).identicalCalls).toBe(RECENT_PER_KEY);
  });
});
