import { describe, expect, it } from "vitest";
import { BoundedCache } from "./bounded-cache.ts";

describe("BoundedCache", () => {
  it("never holds more than its bound: the oldest entries go first", () => {
    const c = new BoundedCache<string, number>(1000);
    for (let i = 0; i < 200_000; i++) c.set(`k${i}`, i);
    expect(c.size).toBe(1000);
    expect(c.get("k199999")).toBe(199999);
    expect(c.get("k0")).toBeUndefined();
  });

  it("does not keep a value whose load raced with an invalidation, but returns it", async () => {
    const c = new BoundedCache<string, string>(10);
    let finish!: (v: string) => void;
    const pending = c.load("key", () => new Promise<string>((r) => (finish = r)));
    c.delete("key"); // the change is announced while the old value is being read
    finish("old value");
    expect(await pending).toBe("old value");
    expect(c.get("key")).toBeUndefined();
    await c.load("key", async () => "new value");
    expect(c.get("key")).toBe("new value");
  });

  it("an invalidation of another key or a clear also prevents keeping a racing load", async () => {
    const c = new BoundedCache<string, number>(10);
    let finish!: (v: number) => void;
    const pending = c.load("a", () => new Promise<number>((r) => (finish = r)));
    c.clear();
    finish(1);
    await pending;
    expect(c.size).toBe(0);
  });
});
