import { describe, expect, it } from "vitest";
import { parseTableState } from "../console/table/definition.ts";
import { applyTableRange } from "../console/range-params.ts";
import { auditHref, auditTableDefinition, parseEntryParam, auditWhere, interpretSearch, toAuditFilters } from "./queries-filters.ts";

const def = (sp: Record<string, string>) =>
  auditTableDefinition({ agents: [{ id: "6f1c1e5e-1111-4111-8111-111111111111", name: "ops-agent" }], tools: ["crm/get_customer", "mail/send_email"], sp });
const NOW = Date.parse("2026-11-25T10:00:00.000Z");

describe("audit explorer filters", () => {
  it("round-trips a drill-down link into typed filters", () => {
    const href = auditHref({ kind: ["decision"], outcome: ["deny"], tool: ["mail/send_email"], time: "2026-11-25T08:00:00.000Z~2026-11-25T09:00:00.000Z" });
    const sp = Object.fromEntries(new URL(href, "http://x").searchParams);
    // As the explorer page reads it: the table state, then its time range (a link's legacy `time=`).
    const state = applyTableRange(def(sp), parseTableState(def(sp), sp), NOW).state;
    expect(toAuditFilters(state, NOW)).toEqual({
      kind: ["decision"],
      outcome: ["deny"],
      tool: ["mail/send_email"],
      from: "2026-11-25T08:00:00.000Z",
      to: "2026-11-25T09:00:00.000Z",
    });
  });

  it("keeps linked values (session) and drops values it does not offer; entry is the drawer's, not a filter", () => {
    const sp = { session: "s-1", entry: "6f1c1e5e-1111-4111-8111-111111111111:42", tool: "not a tool", kind: "decision,bogus" };
    const state = parseTableState(def(sp), sp);
    expect(toAuditFilters(state, NOW)).toEqual({ session: "s-1", kind: ["decision"] });
  });

  it("reads the drawer's entry parameter, refusing anything but <chain uuid>:<seq>", () => {
    expect(parseEntryParam("6F1C1E5E-1111-4111-8111-111111111111:42")).toEqual({ chain: "6f1c1e5e-1111-4111-8111-111111111111", seq: 42 });
    for (const bad of [
      undefined,
      "",
      "x:1",
      "6f1c1e5e-1111-4111-8111-111111111111",
      "6f1c1e5e-1111-4111-8111-111111111111:-1",
      "------------------------------------:1",
      ["a", "b"],
    ])
      expect(parseEntryParam(bad)).toBeNull();
  });

  it("keeps a tool named in a link even when it is not in the inventory (unknown tools are denied too)", () => {
    const sp = { tool: "shell/exec,crm/get_customer", outcome: "deny" };
    expect(toAuditFilters(parseTableState(def(sp), sp), NOW)).toEqual({ tool: ["shell/exec", "crm/get_customer"], outcome: ["deny"] });
  });

  it("reads the search box as a decision id, an actor, an action or a session", () => {
    expect(interpretSearch("6F1C1E5E-1111-4111-8111-111111111111")).toEqual({ decision: "6f1c1e5e-1111-4111-8111-111111111111" });
    expect(interpretSearch("user:sam@example.com")).toEqual({ actor: "user:sam@example.com" });
    expect(interpretSearch("policy.publish")).toEqual({ action: "policy.publish" });
    expect(interpretSearch("s-20261125-1")).toEqual({ session: "s-20261125-1" });
  });

  it("binds every value as a parameter (nothing is spliced into SQL)", () => {
    const w = auditWhere({ kind: ["decision", "outcome"], tool: ["a'b"], action: "tool_x.", from: "2026-01-01T00:00:00.000Z" });
    expect(w.sql).toBe("kind = ANY($1::text[]) AND tool = $2 AND action LIKE $3 AND created_at >= $4::timestamptz");
    expect(w.values).toEqual([["decision", "outcome"], "a'b", "tool\\_x.%", "2026-01-01T00:00:00.000Z"]);
    expect(auditWhere({}).sql).toBe("TRUE");
    const m = auditWhere({ method: ["sampling/createMessage", "tools/call"] });
    expect(m.sql).toBe("kind = 'decision' AND COALESCE(data->>'method', 'tools/call') = ANY($1::text[])");
    expect(m.values).toEqual([["sampling/createMessage", "tools/call"]]);
  });
});
