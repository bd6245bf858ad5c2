import { describe, expect, it } from "vitest";
import { PromiseCache } from "./promise-cache.ts";

describe("PromiseCache", () => {
  it("shares one load between callers of a key and keeps its value", async () => {
    const c = new PromiseCache<number>();
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([c.get("a", load), c.get("a", load)])).toEqual([1, 1]);
    expect(await c.get("a", load)).toBe(1);
    expect(loads).toBe(1);
  });

  it("forgets a failed load, so the next call loads again", async () => {
    const c = new PromiseCache<string>();
    await expect(c.get("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await c.get("a", () => Promise.resolve("up"))).toBe("up");
  });

  it("a failed load that was replaced does not evict its replacement", async () => {
    const c = new PromiseCache<string>();
    let fail!: (e: Error) => void;
    const first = c.get("a", () => new Promise<string>((_, reject) => (fail = reject)));
    c.delete("a");
    const second = c.get("a", () => Promise.resolve("new"));
    fail(new Error("old load failed"));
    await expect(first).rejects.toThrow();
    expect(await c.get("a", () => Promise.resolve("other"))).toBe("new");
    expect(await second).toBe("new");
  });

  it("evicts the oldest key when full", async () => {
    const c = new PromiseCache<string>({ max: 2 });
    for (const k of ["a", "b", "c"]) await c.get(k, () => Promise.resolve(k));
    expect(c.size).toBe(2);
    expect(await c.get("a", () => Promise.resolve("a again"))).toBe("a again");
    expect(await c.get("c", () => Promise.resolve("c again"))).toBe("c");
  });

  it("with keepSettled: false, shares only loads in flight", async () => {
    const c = new PromiseCache<number>({ keepSettled: false });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([c.get("a", load), c.get("a", load)])).toEqual([1, 1]);
    expect(c.size).toBe(0);
    expect(await c.get("a", load)).toBe(2);
  });
});
