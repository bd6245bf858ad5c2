/**
 * Splitting a Cedar policy set into named policies. Each policy's id is its `@id("…")` annotation
 * (or `policy<N>` by position); its annotations (`@reason`, `@approval`, …) are read once, at load time,
 * and mapped to the id so that decisions can return readable reasons.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";

export interface PolicyPart {
  id: string;
  text: string;
  effect: "permit" | "forbid";
  annotations: Record<string, string>;
  /** Offset of the policy's text in the whole policy-set text. */
  offset: number;
}

export interface PolicyProblem {
  policyId?: string;
  message: string;
  line: number;
  column: number;
  /** 1-based line where the problem ends. */
  endLine: number;
  endColumn: number;
}

export interface ParsedPolicySet {
  ok: boolean;
  policies: PolicyPart[];
  problems: PolicyProblem[];
}

/** 1-based line and column of an offset in text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: end - last };
}

export function problemAt(text: string, start: number, end: number, message: string, policyId?: string): PolicyProblem {
  const a = lineColumn(text, start);
  const b = lineColumn(text, Math.max(start, end));
  return { policyId, message, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

interface DetailedError {
  message: string;
  help?: string | null;
  sourceLocations?: Array<{ start: number; end: number }>;
}

export function describeError(e: DetailedError): string {
  return e.help ? `${e.message} (${e.help})` : e.message;
}

export function parsePolicySet(text: string): ParsedPolicySet {
  const problems: PolicyProblem[] = [];
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== "success") {
    for (const e of parts.errors) {
      const loc = e.sourceLocations?.[0];
      problems.push(problemAt(text, loc?.start ?? 0, loc?.end ?? 0, describeError(e)));
    }
    return { ok: false, policies: [], problems };
  }
  if (parts.policy_templates.length > 0) {
    problems.push(problemAt(text, 0, 0, "Policy templates are not supported; write static policies"));
  }
  const policies: PolicyPart[] = [];
  const seen = new Set<string>();
  let cursor = 0;
  parts.policies.forEach((ptext, i) => {
    const found = text.indexOf(ptext, cursor);
    const offset = found >= 0 ? found : cursor;
    cursor = found >= 0 ? found + ptext.length : cursor;
    const json = cedar.policyToJson(ptext);
    const annotations: Record<string, string> = json.type === "success" ? { ...(json.json.annotations ?? {}) } : {};
    const effect = json.type === "success" ? json.json.effect : "forbid";
    const id = annotations.id ?? `policy${i}`;
    if (!/^[A-Za-z0-9_.:/-]{1,100}$/.test(id)) {
      problems.push(problemAt(text, offset, offset + ptext.length, `Invalid @id "${id}": use letters, digits and _ . : / -`, id));
    } else if (seen.has(id)) {
      problems.push(problemAt(text, offset, offset + ptext.length, `Duplicate @id "${id}": policy ids must be unique`, id));
    }
    seen.add(id);
    policies.push({ id, text: ptext, effect, annotations, offset });
  });
  return { ok: problems.length === 0, policies, problems };
}

/** The record form Cedar accepts, keyed by our policy ids. */
export function toStaticPolicies(policies: PolicyPart[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of policies) out[p.id] = p.text;
  return out;
}
