import { describe, expect, it } from "vitest";
import type { TableDefinition } from "./definition.ts";
import { withFacetCounts, without } from "./facets.ts";

const DEF: TableDefinition = {
  id: "t",
  filters: [
    { id: "outcome", label: "Outcome", kind: "multi", options: ["allow", "deny", "error"].map((v) => ({ value: v, label: v })) },
    { id: "kind", label: "Kind", kind: "multi", options: [{ value: "decision", label: "decision" }] },
  ],
  sorts: [{ id: "time", label: "Time" }],
  defaultSort: { id: "time", dir: "desc" },
  pageSize: 50,
};

describe("facet counts on filters", () => {
  it("label each value with its count, most first; a capped count is a lower bound; uncounted filters unchanged", () => {
    const d = withFacetCounts(DEF, { counts: { outcome: { deny: 1200, allow: 7 } }, capped: [] });
    expect(d.filters[0].options.map((o) => o.label)).toEqual(["deny · 1,200", "allow · 7", "error · 0"]);
    expect(d.filters[1]).toBe(DEF.filters[1]);
    const capped = withFacetCounts(DEF, { counts: { outcome: { allow: 10_001 } }, capped: ["outcome"] });
    expect(capped.filters[0].options[0].label).toBe("allow · ≥ 10,001");
    expect(without({ outcome: ["deny"], agent: ["a"] }, "outcome")).toEqual({ agent: ["a"] });
  });
});
