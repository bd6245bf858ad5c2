/**
 * `mandate policy test`: runs policy test cases against a policy text — a file and its test file (for
 * CI pipelines that keep policies in git), or a stored version with its stored cases — and prints one
 * line per case. Returns the exit code: 0 all passed, 1 any failure, an invalid policy set, or no cases.
 */
import { readFileSync } from "node:fs";
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { Row } from "../db/rows.ts";
import { loadAgents, loadTools } from "./directory.ts";
import { validateForStore } from "./publish.ts";
import { formatTestResults, policyTestSuite, runPolicyTests, type PolicyTestCase } from "./tests.ts";
import { formatProblems } from "./validate.ts";

export interface PolicyTestOptions {
  file?: string;
  testsFile?: string;
  store: string;
  version?: number;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

function readCases(file: string): PolicyTestCase[] {
  const raw: unknown = JSON.parse(readFileSync(file, "utf8"));
  const list: unknown = Array.isArray(raw) ? raw : (raw as { tests?: unknown } | null)?.tests; // checked by policyTestSuite below
  const r = policyTestSuite.safeParse(list);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new MandateError(400, "invalid_tests", `${file}: test case ${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}

export async function runPolicyTestCommand(o: PolicyTestOptions): Promise<number> {
  const out = o.out ?? ((l) => console.log(l));
  const err = o.err ?? ((l) => console.error(l));
  let text: string;
  let cases: PolicyTestCase[];
  let label: string;
  if (o.file) {
    text = readFileSync(o.file, "utf8");
    if (!o.testsFile) throw new MandateError(400, "invalid_request", "with a policy file, give its test cases with --tests <file.json>");
    cases = readCases(o.testsFile);
    label = o.file;
  } else {
    const r = await getPool().query<Row<"policy_versions", "version" | "text" | "tests">>(
      o.version
        ? `SELECT version, text, tests FROM policy_versions WHERE store_id = $1 AND version = $2`
        : `SELECT version, text, tests FROM policy_versions WHERE store_id = $1 AND status = 'active'`,
      o.version ? [o.store, o.version] : [o.store],
    );
    if (!r.rowCount) throw new MandateError(404, "not_found", o.version ? `no version ${o.store}@v${o.version}` : `no active version in store ${o.store}`);
    text = r.rows[0].text;
    cases = o.testsFile ? readCases(o.testsFile) : policyTestSuite.parse(r.rows[0].tests ?? []);
    label = `${o.store}@v${r.rows[0].version}`;
  }
  const v = await validateForStore(o.store, text);
  if (!v.valid) {
    err(formatProblems(label, v.problems));
    err(`${label}: the policy set does not validate; tests not run`);
    return 1;
  }
  if (!cases.length) {
    err(`${label}: no test cases to run`);
    return 1;
  }
  const [agents, tools] = await Promise.all([loadAgents(), loadTools()]);
  const results = runPolicyTests(text, cases, { tools, agents: new Map(agents.map((a) => [a.name, a])) });
  out(formatTestResults(results));
  return results.every((r) => r.pass) ? 0 : 1;
}
