import { describe, expect, it } from "vitest";
import { SessionSlots } from "./session-slots.ts";

describe("SessionSlots", () => {
  it("caps per key and in all, and gives a slot back once", () => {
    const slots = new SessionSlots({ maxPerKey: 2, maxTotal: 3 });
    const a1 = slots.acquire("a");
    const a2 = slots.acquire("a");
    expect(a1.ok && a2.ok).toBe(true);
    const a3 = slots.acquire("a");
    expect(a3).toMatchObject({ ok: false, limit: "per_key" });
    expect(slots.acquire("b").ok).toBe(true);
    expect(slots.acquire("c")).toMatchObject({ ok: false, limit: "total" });
    expect(slots.size).toBe(3);
    if (!a1.ok) throw new Error("unreachable");
    a1.release();
    a1.release(); // a second release changes nothing
    expect(slots.size).toBe(2);
    expect(slots.countFor("a")).toBe(1);
    expect(slots.acquire("c").ok).toBe(true);
    expect(slots.acquire("a")).toMatchObject({ ok: false, limit: "total" });
  });
});
