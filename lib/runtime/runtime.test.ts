import { describe, expect, it } from "vitest";
import { defaultAuditChains } from "./runtime.ts";

describe("defaultAuditChains", () => {
  it("uses one decision chain on up to 2 CPUs and two above", () => {
    expect(defaultAuditChains(1)).toBe(1);
    expect(defaultAuditChains(2)).toBe(1);
    expect(defaultAuditChains(3)).toBe(2);
    expect(defaultAuditChains(64)).toBe(2);
  });
});
