import { describe, expect, it } from "vitest";
import { keyStatus } from "./agent-detail.ts";

const now = Date.parse("2026-06-01T00:00:00Z");
const d = (days: number) => new Date(now + days * 86_400_000);

describe("keyStatus", () => {
  it("flags a key that expires within 14 days", () => {
    expect(keyStatus({ revokedAt: null, expiresAt: d(5), createdAt: d(-1), lastUsedAt: d(0) }, now)).toEqual({ status: "active", flags: ["near_expiry"] });
  });
  it("flags a key unused for 30 days (never used, or last used long ago)", () => {
    expect(keyStatus({ revokedAt: null, expiresAt: d(60), createdAt: d(-40), lastUsedAt: null }, now).flags).toEqual(["unused"]);
    expect(keyStatus({ revokedAt: null, expiresAt: d(60), createdAt: d(-40), lastUsedAt: d(-31) }, now).flags).toEqual(["unused"]);
    expect(keyStatus({ revokedAt: null, expiresAt: d(60), createdAt: d(-40), lastUsedAt: d(-2) }, now).flags).toEqual([]);
  });
  it("a new key is not 'unused' yet; revoked and expired keys carry no flags", () => {
    expect(keyStatus({ revokedAt: null, expiresAt: d(60), createdAt: d(-3), lastUsedAt: null }, now).flags).toEqual([]);
    expect(keyStatus({ revokedAt: d(-1), expiresAt: d(5), createdAt: d(-40), lastUsedAt: null }, now)).toEqual({ status: "revoked", flags: [] });
    expect(keyStatus({ revokedAt: null, expiresAt: d(-1), createdAt: d(-40), lastUsedAt: null }, now)).toEqual({ status: "expired", flags: [] });
  });
});
