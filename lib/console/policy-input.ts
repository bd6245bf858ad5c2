/** Parsing of the policy editor's input (Cedar text and the test cases as JSON text) for server actions. */
import { z } from "zod";
import { MandateError } from "../errors.ts";
import { policyTestSuite, type PolicyTestCase } from "../policy/tests.ts";

export const policyText = z.string().min(1, "the policy set is empty").max(512 * 1024, "the policy set is over 512 KiB");

export function parseTestsJson(json: unknown): PolicyTestCase[] {
  const text = z.string().max(512 * 1024).parse(json ?? "[]");
  if (!text.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MandateError(400, "invalid_tests", `the test cases are not valid JSON: ${(e as Error).message}`);
  }
  const r = policyTestSuite.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new MandateError(400, "invalid_tests", `test case ${i.path.join(".")}: ${i.message}`);
  }
  return r.data;
}
