/**
 * Validation of a policy set against a Cedar schema (strict mode). Returns problems with line and
 * column in the original text, which the editor shows as line markers and the CLI prints.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { describeError, parsePolicySet, problemAt, toStaticPolicies, type PolicyProblem } from "./policy-set.ts";

export interface ValidationResult {
  valid: boolean;
  problems: PolicyProblem[];
  warnings: PolicyProblem[];
  policyCount: number;
}

export function validatePolicySet(text: string, schema: cedar.Schema): ValidationResult {
  const parsed = parsePolicySet(text);
  if (!parsed.ok) return { valid: false, problems: parsed.problems, warnings: [], policyCount: parsed.policies.length };
  const answer = cedar.validate({ schema, policies: { staticPolicies: toStaticPolicies(parsed.policies) } });
  if (answer.type !== "success") {
    return {
      valid: false,
      problems: answer.errors.map((e) => problemAt(text, 0, 0, `Schema problem: ${describeError(e)}`)),
      warnings: [],
      policyCount: parsed.policies.length,
    };
  }
  const byId = new Map(parsed.policies.map((p) => [p.id, p]));
  const locate = (v: { policyId: string; error: { message: string; help?: string | null; sourceLocations?: Array<{ start: number; end: number }> } }) => {
    const p = byId.get(v.policyId);
    const loc = v.error.sourceLocations?.[0];
    const base = p?.offset ?? 0;
    return problemAt(text, base + (loc?.start ?? 0), base + (loc?.end ?? p?.text.length ?? 0), describeError(v.error), v.policyId);
  };
  const problems = answer.validationErrors.map(locate);
  const warnings = answer.validationWarnings.map(locate);
  return { valid: problems.length === 0, problems, warnings, policyCount: parsed.policies.length };
}

export function formatProblems(file: string, problems: PolicyProblem[]): string {
  return problems.map((p) => `${file}:${p.line}:${p.column}: ${p.policyId ? `[${p.policyId}] ` : ""}${p.message}`).join("\n");
}
