import { describe, expect, it } from "vitest";
import { rangeWindow } from "../analytics/prepare-dashboard.ts";
import { zoomRange } from "../analytics/time-range.ts";
import { applyTableRange, parseRange } from "./range-params.ts";
import { parseTableState, tableStateToParams, type TableDefinition } from "./table/definition.ts";

const NOW = Date.parse("2026-12-07T10:00:00.000Z");
const DEF: TableDefinition = {
  id: "t",
  filters: [],
  sorts: [{ id: "a", label: "A" }],
  defaultSort: { id: "a", dir: "desc" },
  pageSize: 10,
  range: { label: "Time" },
};

describe("the range in the URL", () => {
  it("resolves presets, all time and absolute ranges (either end open)", () => {
    expect(parseRange({ range: "1h" }, "24h", NOW)).toMatchObject({ key: "1h", from: new Date(NOW - 3_600_000), to: null, error: null });
    expect(parseRange({ range: "all" }, "24h", NOW)).toMatchObject({ key: "all", from: null, to: null, label: "all time" });
    expect(parseRange({}, "24h", NOW)).toMatchObject({ key: "24h", label: "the last 24 hours", error: null });
    const r = parseRange({ from: "2026-12-07T08:00:00+01:00", to: "2026-12-07T09:00:00Z" }, "24h", NOW);
    expect(r).toMatchObject({ key: "custom", params: { from: "2026-12-07T07:00:00.000Z", to: "2026-12-07T09:00:00.000Z" }, error: null });
    expect(parseRange({ from: "2026-12-07T08:00:00Z" }, "24h", NOW).to).toBeNull();
  });
  it("refuses malformed ranges with the reason and falls back to the default", () => {
    const bad = parseRange({ range: "2y" }, "24h", NOW);
    expect(bad).toMatchObject({ key: "24h", params: { range: "24h" } });
    expect(bad.error).toMatch(/range must be one of 15m, 1h, 24h, 7d, 30d, all/);
    expect(parseRange({ from: "yesterday" }, "all", NOW).error).toMatch(/from must be a time in ISO 8601/);
    expect(parseRange({ from: "2026-12-07T09:00:00Z", to: "2026-12-07T08:00:00Z" }, "all", NOW).error).toMatch(/from must be before to/);
    expect(parseRange({ range: "1h", from: "2026-12-07T09:00:00Z" }, "all", NOW).error).toMatch(/either range or from\/to/);
  });
  it("keeps the range through the table's URL and applies it as the time filter; legacy ?time= links still work", () => {
    const s = parseTableState(DEF, { range: "7d", sort: "a", refresh: "30s" });
    expect(tableStateToParams(DEF, s).toString()).toBe("range=7d&refresh=30s");
    expect(applyTableRange(DEF, s, NOW).state.filters.time).toEqual([`${new Date(NOW - 7 * 86_400_000).toISOString()}~`]);
    expect(applyTableRange(DEF, parseTableState(DEF, {}), NOW).state.filters.time).toBeUndefined();
    const legacy = parseTableState(DEF, { time: "2026-12-07T08:00:00.000Z~2026-12-07T09:00:00.000Z" });
    expect(legacy.extra).toEqual({ from: "2026-12-07T08:00:00.000Z", to: "2026-12-07T09:00:00.000Z" });
    expect(parseTableState(DEF, { time: "24h" }).extra).toEqual({ range: "24h" });
  });
  it("turns a drag over a time chart into a range, either direction; a click is no zoom", () => {
    const pts = ["2026-12-07T08:00:00.000Z", "2026-12-07T09:00:00.000Z", "2026-12-07T10:00:00.000Z"].map((t) => ({ t }));
    expect(zoomRange(pts, 2, 1, 3_600_000)).toEqual({ from: "2026-12-07T09:00:00.000Z", to: "2026-12-07T11:00:00.000Z" });
    expect(zoomRange(pts, 0, 1, 3_600_000)).toEqual({ from: "2026-12-07T08:00:00.000Z", to: "2026-12-07T10:00:00.000Z" });
    expect(zoomRange(pts, 1, 1, 3_600_000)).toBeNull();
    expect(zoomRange(pts, 0, 5, 3_600_000)).toBeNull();
  });
  it("cuts any range into at most 60 whole buckets", () => {
    expect(rangeWindow(NOW - 15 * 60_000, NOW, true).bucketMs).toBe(60_000);
    expect(rangeWindow(NOW - 86_400_000, NOW, true)).toMatchObject({ bucketMs: 3_600_000, to: new Date(NOW) });
    expect(rangeWindow(NOW - 7 * 86_400_000, NOW, true).bucketMs).toBe(6 * 3_600_000);
    const w = rangeWindow(NOW - 400 * 86_400_000, NOW);
    expect((w.to.getTime() - w.from.getTime()) / w.bucketMs).toBeLessThanOrEqual(61);
    const z = rangeWindow(Date.parse("2026-12-07T08:03:00Z"), Date.parse("2026-12-07T08:48:00Z"));
    expect(z).toMatchObject({ from: new Date("2026-12-07T08:03:00Z"), to: new Date("2026-12-07T08:48:00Z"), bucketMs: 60_000 });
  });
});
