/** Delegation call budgets: the max_calls parameter, spending along the lineage, exhaustion. */
import { describe, expect, it } from "vitest";
import { exhaustedBudget, MAX_CALLS_LIMIT, parseMaxCalls, remainingCalls, spendBudgets } from "./budget.ts";

describe("max_calls parameter", () => {
  it("accepts absent and positive decimal integers up to the limit", () => {
    expect(parseMaxCalls(undefined)).toBeNull();
    expect(parseMaxCalls("1")).toBe(1);
    expect(parseMaxCalls(String(MAX_CALLS_LIMIT))).toBe(MAX_CALLS_LIMIT);
  });
  it("refuses anything else with invalid_request, never rounding", () => {
    for (const bad of ["", "0", "-1", "1.5", "1e3", "01", " 5", "5 ", "+5", "0x10", String(MAX_CALLS_LIMIT + 1), "99999999999", "NaN"]) {
      expect(() => parseMaxCalls(bad), bad).toThrow(expect.objectContaining({ code: "invalid_request", status: 400 }));
    }
  });
});

describe("spending a lineage's budgets", () => {
  const child = { id: "c", maxCalls: 2 };
  const parent = { id: "p", maxCalls: 3 };
  it("each allowed call spends one call of every budget in the lineage", () => {
    let c = spendBudgets(undefined, { t: { "crm/x": 1 } }, [child, parent]);
    expect(c).toEqual({ t: { "crm/x": 1 }, d: { c: 1, p: 1 } });
    c = spendBudgets(c, { t: { "crm/x": 2 } }, [child, parent]);
    expect(c.d).toEqual({ c: 2, p: 2 });
    expect(exhaustedBudget([child, parent], c)).toEqual(child);
    expect(remainingCalls([child, parent], c)).toBe(0);
    // A sibling under the same parent still has the parent's last call.
    const sibling = { id: "s", maxCalls: 5 };
    expect(exhaustedBudget([sibling, parent], c)).toBeNull();
    expect(remainingCalls([sibling, parent], c)).toBe(1);
    c = spendBudgets(c, { t: {} }, [sibling, parent]);
    expect(exhaustedBudget([sibling, parent], c)).toEqual(parent);
  });
  it("a call with no budget carries the spent calls over unchanged", () => {
    const prev = { t: {}, d: { p: 3 } };
    expect(spendBudgets(prev, { t: { a: 1 } }, undefined)).toEqual({ t: { a: 1 }, d: { p: 3 } });
    expect(spendBudgets(undefined, { t: { a: 1 } }, [])).toEqual({ t: { a: 1 } });
    expect(exhaustedBudget(undefined, prev)).toBeNull();
  });
});
