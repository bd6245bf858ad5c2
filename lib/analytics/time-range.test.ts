import { describe, expect, it } from "vitest";
import { linkedFilter, rangeValue, resolveTime, timeFilter, timeOptionLabel } from "./time-range.ts";

const NOW = Date.parse("2026-11-25T10:00:00.000Z");

describe("time ranges", () => {
  it("resolves presets relative to now and absolute ranges as given", () => {
    expect(resolveTime("1h", NOW)).toEqual({ from: "2026-11-25T09:00:00.000Z" });
    const v = rangeValue("2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z");
    expect(resolveTime(v, NOW)).toEqual({ from: "2026-11-24T08:00:00.000Z", to: "2026-11-24T09:00:00.000Z" });
    expect(resolveTime("2026-11-24T09:00:00Z~2026-11-24T08:00:00Z")).toBeNull();
    expect(resolveTime("yesterday")).toBeNull();
    expect(timeOptionLabel(v)).toBe("2026-11-24 08:00 – 09:00 UTC");
  });
  it("keeps an absolute range in the URL as an option so paging keeps it", () => {
    const v = rangeValue("2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z");
    expect(timeFilter(v).options.map((o) => o.value)).toContain(v);
    expect(timeFilter("garbage").options.map((o) => o.value)).not.toContain("garbage");
    expect(linkedFilter("session", "Session", "s-1", (x) => x.startsWith("s-"))?.options).toEqual([{ value: "s-1", label: "s-1" }]);
    expect(linkedFilter("session", "Session", "bad", (x) => x.startsWith("s-"))).toBeNull();
  });
});
