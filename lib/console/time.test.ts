import { describe, expect, it } from "vitest";
import { formatClock, formatTimestamp, isDisplayZone, isoToZonedInput, zonedInputToIso } from "./time.ts";

describe("formatTimestamp", () => {
  it("shows year, milliseconds and UTC by default", () => {
    expect(formatTimestamp("2026-12-06T04:45:34.680Z")).toBe("2026-12-06 04:45:34.680 UTC");
    expect(formatTimestamp(new Date("2026-01-02T03:04:05.006Z"), "UTC")).toBe("2026-01-02 03:04:05.006 UTC");
  });

  it("shows another zone with its offset at that instant (daylight saving included)", () => {
    expect(formatTimestamp("2026-12-06T04:45:34.680Z", "Asia/Kolkata")).toBe("2026-12-06 10:15:34.680 UTC+05:30");
    expect(formatTimestamp("2026-12-06T04:45:34.680Z", "Europe/Berlin")).toBe("2026-12-06 05:45:34.680 UTC+01:00");
    expect(formatTimestamp("2026-07-06T04:45:34.680Z", "Europe/Berlin")).toBe("2026-07-06 06:45:34.680 UTC+02:00");
    expect(formatTimestamp("2026-12-06T02:00:00.000Z", "America/New_York")).toBe("2026-12-05 21:00:00.000 UTC-05:00");
    expect(formatTimestamp("2026-12-06T04:45:34.680Z", "Europe/London")).toBe("2026-12-06 04:45:34.680 UTC+00:00");
  });

  it("uses 00 for midnight, not 24", () => {
    expect(formatTimestamp("2026-12-05T23:00:00.000Z", "Europe/Berlin")).toBe("2026-12-06 00:00:00.000 UTC+01:00");
  });

  it("returns text that is not a time unchanged", () => {
    expect(formatTimestamp("not a time")).toBe("not a time");
  });
});

describe("isDisplayZone", () => {
  it("accepts UTC and IANA zones, refuses anything else", () => {
    expect(isDisplayZone("UTC")).toBe(true);
    expect(isDisplayZone("Europe/Berlin")).toBe(true);
    expect(isDisplayZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isDisplayZone("Mars/Olympus")).toBe(false);
    expect(isDisplayZone("")).toBe(false);
    expect(isDisplayZone("Europe/Berlin; DROP")).toBe(false);
    expect(isDisplayZone("x".repeat(65))).toBe(false);
  });
});

describe("clock and datetime-local inputs", () => {
  it("shows the time of day with its zone and reads an input's wall time in the user's zone", () => {
    expect(formatClock("2026-12-06T04:45:34.680Z")).toBe("04:45:34 UTC");
    expect(formatClock("2026-12-06T04:45:34.680Z", "Asia/Kolkata")).toBe("10:15:34 UTC+05:30");
    expect(isoToZonedInput("2026-12-06T04:45:34.680Z", "Asia/Kolkata")).toBe("2026-12-06T10:15");
    expect(zonedInputToIso("2026-12-06T10:15", "Asia/Kolkata")).toBe("2026-12-06T04:45:00.000Z");
    expect(zonedInputToIso("2026-12-06T10:15", "UTC")).toBe("2026-12-06T10:15:00.000Z");
    // Berlin: 01:30 on the day summer time ends is read as the later (standard-time) instant or the earlier, never an hour off both.
    expect(["2026-10-24T23:30:00.000Z", "2026-10-25T00:30:00.000Z"]).toContain(zonedInputToIso("2026-10-25T01:30", "Europe/Berlin"));
    expect(zonedInputToIso("2026-07-01T12:00", "Europe/Berlin")).toBe("2026-07-01T10:00:00.000Z");
    expect(zonedInputToIso("yesterday", "UTC")).toBeNull();
  });
});
