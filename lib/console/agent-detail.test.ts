import { describe, expect, it } from "vitest";
import { keyStatus } from "./agent-detail.ts";

const now = Date.parse("2026-06-01T00:00:00Z");
const d = (days: number) => new Date(now + days * 86_400_000);

describe("keyStatus", () => {
  it("flags a key that expires within 14 days", () => {
    expect(keyStatus({ revoked_at: null, expires_at: d(5), created_at: d(-1), last_used_at: d(0) }, now)).toEqual({ status: "active", flags: ["near_expiry"] });
  });
  it("flags a key unused for 30 days (never used, or last used long ago)", () => {
    expect(keyStatus({ revoked_at: null, expires_at: d(60), created_at: d(-40), last_used_at: null }, now).flags).toEqual(["unused"]);
    expect(keyStatus({ revoked_at: null, expires_at: d(60), created_at: d(-40), last_used_at: d(-31) }, now).flags).toEqual(["unused"]);
    expect(keyStatus({ revoked_at: null, expires_at: d(60), created_at: d(-40), last_used_at: d(-2) }, now).flags).toEqual([]);
  });
  it("a new key is not 'unused' yet; revoked and expired keys carry no flags", () => {
    expect(keyStatus({ revoked_at: null, expires_at: d(60), created_at: d(-3), last_used_at: null }, now).flags).toEqual([]);
    expect(keyStatus({ revoked_at: d(-1), expires_at: d(5), created_at: d(-40), last_used_at: null }, now)).toEqual({ status: "revoked", flags: [] });
    expect(keyStatus({ revoked_at: null, expires_at: d(-1), created_at: d(-40), last_used_at: null }, now)).toEqual({ status: "expired", flags: [] });
  });
});
