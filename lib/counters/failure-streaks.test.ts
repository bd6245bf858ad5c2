/** Consecutive failed outcomes: what a batch of outcomes does to each session's streak. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyStreak, streakChanges } from "./failure-streaks.ts";

const ev = (sessionId: string, ok: boolean) => ({ sessionId, status: ok ? ("success" as const) : ("error" as const) });

describe("failure streaks", () => {
  it("counts failures in a row per session, reset by a success, in the order received", () => {
    const c = streakChanges([ev("a", false), ev("b", true), ev("a", false), ev("a", true), ev("a", false), ev("b", false)]);
    expect(c.get("a")).toEqual({ reset: true, tail: 1 });
    expect(c.get("b")).toEqual({ reset: true, tail: 1 });
    expect(applyStreak(7, c.get("a")!)).toBe(1);
    const failing = streakChanges([ev("a", false), ev("a", false)]).get("a")!;
    expect(failing).toEqual({ reset: false, tail: 2 });
    expect(applyStreak(1, failing)).toBe(3);
    expect(applyStreak(3, streakChanges([ev("a", true)]).get("a")!)).toBe(0);
  });

  it("applying a batch at once equals applying its outcomes one by one", () => {
    fc.assert(
      fc.property(fc.nat(20), fc.array(fc.boolean(), { maxLength: 30 }), (start, oks) => {
        let oneByOne = start;
        for (const ok of oks) oneByOne = ok ? 0 : oneByOne + 1;
        const c = streakChanges(oks.map((ok) => ev("s", ok))).get("s");
        expect(c ? applyStreak(start, c) : start).toBe(oneByOne);
      }),
    );
  });
});
