/**
 * The difference between two versions of a policy set, policy by policy (matched by their @id, or
 * `policy<N>` by position): added, removed and changed policies with each one's line diff, and the line
 * diff of the whole text. A text that does not parse (a draft may not) has only the whole-text diff.
 */
import { parsePolicySet } from "../policy/policy-set.ts";
import { textLineDiff, type DiffLine } from "./json-diff.ts";

export type PolicyChange = "added" | "removed" | "changed" | "same";

export interface PolicyDiffPart {
  id: string;
  change: PolicyChange;
  lines: DiffLine[];
}

export interface PolicySetDiff {
  /** Both texts parsed: `policies` lists every policy of either, in the order of the newer text, removed ones last. */
  parsed: boolean;
  policies: PolicyDiffPart[];
  text: DiffLine[];
  counts: Record<PolicyChange, number>;
}

export function policySetDiff(before: string, after: string): PolicySetDiff {
  const text = textLineDiff(before, after);
  const a = parsePolicySet(before);
  const b = parsePolicySet(after);
  const counts: Record<PolicyChange, number> = { added: 0, removed: 0, changed: 0, same: 0 };
  if (!a.ok || !b.ok) return { parsed: false, policies: [], text, counts };
  const old = new Map(a.policies.map((p) => [p.id, p.text]));
  const now = new Set(b.policies.map((p) => p.id));
  const policies: PolicyDiffPart[] = [
    ...b.policies.map((p): PolicyDiffPart => {
      const was = old.get(p.id);
      const change: PolicyChange = was === undefined ? "added" : was === p.text ? "same" : "changed";
      return { id: p.id, change, lines: textLineDiff(was ?? "", p.text) };
    }),
    ...a.policies.filter((p) => !now.has(p.id)).map((p): PolicyDiffPart => ({ id: p.id, change: "removed", lines: textLineDiff(p.text, "") })),
  ];
  for (const p of policies) counts[p.change]++;
  return { parsed: true, policies, text, counts };
}
