import { describe, expect, it } from "vitest";
import { csvCell, csvLine, jsonlLine } from "./export.ts";
import type { AuditListRow } from "./queries.ts";

const row: AuditListRow = {
  chainId: "c1",
  seq: 3,
  createdAt: "2026-11-25T10:00:00.000Z",
  kind: "decision",
  action: "decision.deny",
  actor: "agent:ops-agent",
  sessionId: "s-1",
  step: 2,
  agentId: "a1",
  tool: "mail/send_email",
  outcome: "deny",
  decisionId: "d1",
  hash: "h",
  prevHash: "p",
  data: { reasons: [{ policy: "lethal-trifecta", message: 'external, communication "quoted"' }], policy_version: "mcp@v1" },
};

describe("audit export", () => {
  it("quotes CSV cells and defuses spreadsheet formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });
  it("writes one CSV line per entry with reasons and policy version", () => {
    const line = csvLine(row);
    expect(line.endsWith("\r\n")).toBe(true);
    expect(line).toContain('lethal-trifecta: external, communication ""quoted""');
    expect(line).toContain(",mcp@v1,h,p,");
  });
  it("writes JSONL with the stored columns (re-verifiable)", () => {
    const o = JSON.parse(jsonlLine(row));
    expect(Object.keys(o)).toEqual([
      "chain_id",
      "seq",
      "prev_hash",
      "hash",
      "kind",
      "action",
      "actor",
      "session_id",
      "step",
      "agent_id",
      "tool",
      "outcome",
      "decision_id",
      "created_at",
      "data",
    ]);
  });
});
