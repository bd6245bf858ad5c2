/**
 * The policy editor's calls (the MCP store's /api/v1/policies routes): its test cases go as JSON, read
 * from the editor's text here, and a refused test case is worded as the editor words it.
 */
import type { ApiFailure } from "@/components/api/call-api";

export const POLICIES = "/api/v1/policies/mcp";

/** The test cases of the editor's JSON text (empty text: none). */
export function testCasesOf(text: string): { ok: true; tests: unknown } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, tests: [] };
  try {
    return { ok: true, tests: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: `the test cases are not valid JSON: ${(e as Error).message}` };
  }
}

/** The sentence for a refused call; a refused test case is named "test case <n>.<field>". */
export function policyError(r: ApiFailure): string {
  const p = r.problems?.[0];
  if (r.status === 400 && p && (p.path === "tests" || p.path.startsWith("tests."))) return `test case ${p.path.slice("tests.".length)}: ${p.message}`;
  return r.error;
}
