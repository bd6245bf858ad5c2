/**
 * Publish is guarded by the store's tests (issue 16 §5): a version is published as active only when every
 * stored test case passes against its text, unless the admin writes an override note, which the audit
 * entry keeps with the names of the failing cases. Enforced in publishPolicy itself, so the API, the
 * console and the CLI cannot go around it.
 *
 * The cases run are those sent with the publish together with those stored with the active version (a
 * sent case replaces a stored one of the same name): a publish cannot drop the suite to get past it.
 * Only the MCP store has test cases (lib/policy/tests.ts); shadow versions are not guarded (they decide
 * nothing).
 */
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { Row } from "../db/rows.ts";
import { loadAgents, loadTools } from "./directory.ts";
import { policyTestSuite, runPolicyTests, type PolicyTestCase, type PolicyTestResult } from "./tests.ts";

export interface FailingTest {
  name: string;
  expect: string;
  actual: string;
}

/** The stored test cases a publish of this store runs (the active version's, a sent case replacing a stored one of its name), with their results. */
export async function guardTestResults(storeId: string, text: string, sent: unknown[] | undefined): Promise<PolicyTestResult[]> {
  const r = await getPool().query<Row<"policy_versions", "tests">>(`SELECT tests FROM policy_versions WHERE store_id = $1 AND status = 'active'`, [storeId]);
  const stored = policyTestSuite.safeParse(r.rows[0]?.tests ?? []);
  const given = policyTestSuite.safeParse(sent ?? []);
  const byName = new Map<string, PolicyTestCase>();
  for (const c of stored.success ? stored.data : []) byName.set(c.name, c);
  for (const c of given.success ? given.data : []) byName.set(c.name, c);
  if (byName.size === 0) return [];
  const [agents, tools] = await Promise.all([loadAgents(), loadTools()]);
  return runPolicyTests(text, [...byName.values()], { tools, agents: new Map(agents.map((a) => [a.name, a])) });
}

export async function failingTests(storeId: string, text: string, sent: unknown[] | undefined): Promise<FailingTest[]> {
  return (await guardTestResults(storeId, text, sent)).filter((t) => !t.pass).map((t) => ({ name: t.name, expect: t.expect, actual: t.actual }));
}

export class TestsFailingError extends MandateError {
  constructor(readonly failing: FailingTest[]) {
    super(
      409,
      "policy_tests_failing",
      `${failing.length} stored test case(s) fail against this version: ${failing.map((f) => `"${f.name}" (expected ${f.expect}, got ${f.actual})`).join(", ")}. ` +
        "Fix the policy or the cases, or publish with an override note (override_note; the CLI's --override-note), which is audited.",
      failing.map((f) => ({ path: `tests.${f.name}`, message: `expected ${f.expect}, got ${f.actual}` })),
    );
  }
}
