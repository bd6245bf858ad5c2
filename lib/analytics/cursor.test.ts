import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, toPage } from "./cursor.ts";

describe("keyset cursors", () => {
  it("round-trips a key and rejects tampered or mistyped cursors", () => {
    const key = ["2026-11-25T10:00:00.000Z", "3b0c6c1e-0000-4000-8000-000000000000", 42];
    expect(decodeCursor(encodeCursor(key), ["t", "s", "n"])).toEqual(key);
    expect(decodeCursor(encodeCursor(key), ["t", "s"])).toBeNull();
    expect(decodeCursor(encodeCursor(["x", "y", 1]), ["t", "s", "n"])).toBeNull();
    expect(decodeCursor("not base64 json", ["t"])).toBeNull();
    expect(decodeCursor(null, ["t"])).toBeNull();
  });

  it("makes pages with cursors on both sides", () => {
    const rows = [5, 4, 3].map((n) => ({ n }));
    const key = (r: { n: number }) => [r.n];
    const first = toPage(rows, 2, "next", false, key);
    expect(first.rows).toEqual([{ n: 5 }, { n: 4 }]);
    expect(decodeCursor(first.next, ["n"])).toEqual([4]);
    expect(first.prev).toBeNull();
    // Reading backwards returns rows in reverse; the page flips them back.
    const back = toPage([{ n: 6 }, { n: 7 }, { n: 8 }], 2, "prev", true, key);
    expect(back.rows).toEqual([{ n: 7 }, { n: 6 }]);
    expect(decodeCursor(back.prev, ["n"])).toEqual([7]);
    expect(decodeCursor(back.next, ["n"])).toEqual([6]);
  });
});
