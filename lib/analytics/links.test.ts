import { describe, expect, it } from "vitest";
import { decodeSegment, listHref } from "./links.ts";

describe("links into console lists", () => {
  it("joins several values with commas and leaves empty filters out", () => {
    expect(listHref("/audit", { kind: ["decision"], tool: ["crm/a", "mail/b"], agent: undefined, outcome: [], q: "" })).toBe(
      "/audit?kind=decision&tool=crm%2Fa%2Cmail%2Fb",
    );
    expect(listHref("/sessions", {})).toBe("/sessions");
  });
  it("decodes a route segment once and tolerates one that is already decoded", () => {
    expect(decodeSegment("a%20b%2Fc")).toBe("a b/c");
    expect(decodeSegment("100%")).toBe("100%");
    expect(decodeSegment("plain-id")).toBe("plain-id");
  });
});
