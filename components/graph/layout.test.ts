import { describe, expect, it } from "vitest";
import { parallelOffsets } from "./layout";

describe("parallelOffsets", () => {
  it("spreads the allowed, denied and pending edges between one agent and one tool apart, and leaves a lone edge straight", () => {
    const o = parallelOffsets([
      { id: "allow", source: "agent:a", target: "tool:mail/send_email" },
      { id: "deny", source: "agent:a", target: "tool:mail/send_email" },
      { id: "approval", source: "agent:a", target: "tool:mail/send_email" },
      { id: "other", source: "agent:a", target: "tool:crm/get_customer" },
      { id: "pair-1", source: "agent:b", target: "tool:crm/get_customer" },
      { id: "pair-2", source: "agent:b", target: "tool:crm/get_customer" },
    ]);
    expect([o.get("allow"), o.get("deny"), o.get("approval")]).toEqual([-34, 0, 34]);
    expect(o.get("other")).toBe(0);
    expect([o.get("pair-1"), o.get("pair-2")]).toEqual([-17, 17]);
  });
});
