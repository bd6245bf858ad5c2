import { describe, expect, it } from "vitest";
import { policySetDiff } from "./policy-diff.ts";

const forbid = (id: string, server: string) => `@id("${id}") forbid (principal, action, resource) when { resource.server == "${server}" };\n`;
const KEEP = `@id("keep") permit (principal, action, resource);\n`;
const A = KEEP + forbid("edit", "crm") + forbid("gone", "web");
const B = KEEP + forbid("edit", "mail") + forbid("new", "files");

describe("policySetDiff", () => {
  it("matches policies by @id: added, removed, changed and unchanged, each with its line diff", () => {
    const d = policySetDiff(A, B);
    expect(d.parsed).toBe(true);
    expect(d.policies.map((p) => [p.id, p.change])).toEqual([
      ["keep", "same"],
      ["edit", "changed"],
      ["new", "added"],
      ["gone", "removed"],
    ]);
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1, same: 1 });
    const edit = d.policies.find((p) => p.id === "edit")!;
    expect(edit.lines.filter((l) => l.kind === "remove").map((l) => l.text)[0]).toContain('"crm"');
    expect(edit.lines.filter((l) => l.kind === "add").map((l) => l.text)[0]).toContain('"mail"');
    expect(d.text.some((l) => l.kind === "add" && l.text.includes('"files"'))).toBe(true);
  });

  it("a text that does not parse gets only the whole-text diff", () => {
    const d = policySetDiff(A, "permit (");
    expect(d.parsed).toBe(false);
    expect(d.policies).toEqual([]);
    expect(d.text.some((l) => l.kind === "add" && l.text === "permit (")).toBe(true);
  });
});
