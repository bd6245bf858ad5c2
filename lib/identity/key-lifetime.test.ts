import { describe, expect, it } from "vitest";
import { MandateError } from "../errors.ts";
import { defaultKeyDays, keyExpiry, MAX_OVERLAP_S, overlapEnd, type KeyLimits } from "./key-lifetime.ts";

const limits: KeyLimits = {
  maxDays: { agent_key: 30, personal_token: 400, pep_key: 180 },
  setting: { agent_key: "MANDATE_MAX_AGENT_KEY_DAYS", personal_token: "MANDATE_MAX_KEY_DAYS", pep_key: "MANDATE_MAX_KEY_DAYS" },
};
const now = Date.UTC(2026, 11, 7);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as MandateError;
  }
  throw new Error("not refused");
};

describe("key lifetimes", () => {
  it("defaults never exceed the maximum", () => {
    expect(defaultKeyDays("agent_key", limits)).toBe(30);
    expect(defaultKeyDays("personal_token", limits)).toBe(90);
    expect(keyExpiry("pep_key", undefined, now, limits).getTime()).toBe(now + 180 * 86_400_000);
  });

  it("a lifetime over the maximum is a 400 naming the maximum and its setting", () => {
    const e = refusal(() => keyExpiry("agent_key", 31, now, limits));
    expect(e.status).toBe(400);
    expect(e.code).toBe("key_lifetime_exceeded");
    expect(e.message).toContain("at most 30 days");
    expect(e.message).toContain("MANDATE_MAX_AGENT_KEY_DAYS");
    expect(keyExpiry("agent_key", 30, now, limits).getTime()).toBe(now + 30 * 86_400_000);
  });

  it('"never" is refused for every kind, and so are zero, negative and fractional days', () => {
    const e = refusal(() => keyExpiry("pep_key", null, now, limits));
    expect([e.status, e.code]).toEqual([400, "key_lifetime_required"]);
    expect(e.message).toContain("180");
    for (const d of [0, -1, 1.5]) expect(refusal(() => keyExpiry("personal_token", d, now, limits)).status).toBe(400);
  });

  it("a rotation's overlap is bounded and never extends a key's life", () => {
    const later = new Date(now + 30 * 86_400_000);
    expect(overlapEnd(later, undefined, now).getTime()).toBe(now + 86_400_000);
    expect(overlapEnd(later, 0, now).getTime()).toBe(now);
    const soon = new Date(now + 60_000);
    expect(overlapEnd(soon, 3600, now)).toEqual(soon);
    expect(overlapEnd(null, 3600, now).getTime()).toBe(now + 3_600_000);
    expect(refusal(() => overlapEnd(later, MAX_OVERLAP_S + 1, now)).code).toBe("invalid_overlap");
    expect(refusal(() => overlapEnd(later, -1, now)).code).toBe("invalid_overlap");
  });
});
