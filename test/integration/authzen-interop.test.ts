/**
 * The OpenID AuthZEN interop suites against a running Mandate over HTTP: every case of
 * todo/decisions-authorization-api-1_0-02.json (40 evaluations + 3 batches) and
 * api-gateway/decisions.json (25), read as they are from ../shared/conformance/authzen, with the
 * example policy pack loaded by its one command (`mandate pack load examples/authzen-pack`) and one
 * PEP key per store. 68 of 68 must pass.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const CONFORMANCE = resolve(ROOT, "../shared/conformance/authzen");
const todo = JSON.parse(readFileSync(join(CONFORMANCE, "todo/decisions-authorization-api-1_0-02.json"), "utf8"));
const gateway = JSON.parse(readFileSync(join(CONFORMANCE, "api-gateway/decisions.json"), "utf8"));

type Case = { request: unknown; expected: boolean };
type Batch = { request: unknown; expected: Array<{ decision: boolean }> };
const indexed = <T>(list: T[]): Array<[number, T]> => list.map((c, i) => [i, c]);

let m: MandateHandle;
const keys: Record<string, string> = {};
const tally = { pass: 0, total: 0 };

async function mandateCli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
  });
  return stdout;
}

async function post(store: string, path: string, body: unknown) {
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys[store]}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  m = await startMandate();
  const loaded = await mandateCli("pack", "load", "examples/authzen-pack");
  expect(loaded).toContain("store todo");
  expect(loaded).toContain("store api-gateway");
  for (const store of ["todo", "api-gateway"]) {
    const out = await mandateCli("pep-keys", "create", "--store", store, "--name", "interop");
    keys[store] = out.trim().split("\n").pop()!;
    expect(keys[store]).toMatch(/^mnd_pep_/);
  }
  await m.settle();
});

afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

function check(ok: boolean) {
  tally.total++;
  if (ok) tally.pass++;
  return ok;
}

describe("todo scenario: evaluations (40)", () => {
  it.each(indexed<Case>(todo.evaluation))("case %i", async (_i, { request, expected }) => {
    const r = await post("todo", "/access/v1/evaluation", request);
    expect(r.status).toBe(200);
    check(r.body.decision === expected);
    expect(r.body.decision).toBe(expected);
  });
});

describe("todo scenario: batches (3)", () => {
  it.each(indexed<Batch>(todo.evaluations))("batch %i", async (_i, { request, expected }) => {
    const r = await post("todo", "/access/v1/evaluations", request);
    expect(r.status).toBe(200);
    const got = r.body.evaluations.map((e: { decision: boolean }) => ({ decision: e.decision }));
    check(JSON.stringify(got) === JSON.stringify(expected));
    expect(got).toEqual(expected);
  });
});

describe("api-gateway scenario: evaluations (25)", () => {
  it.each(indexed<Case>(gateway.evaluation))("case %i", async (_i, { request, expected }) => {
    const r = await post("api-gateway", "/access/v1/evaluation", request);
    expect(r.status).toBe(200);
    check(r.body.decision === expected);
    expect(r.body.decision).toBe(expected);
  });
});

describe("tally", () => {
  it("passes 68 of 68 interop cases", () => {
    console.log(`AuthZEN interop: ${tally.pass} of ${tally.total} cases pass`);
    expect(todo.evaluation.length + todo.evaluations.length + gateway.evaluation.length).toBe(68);
    expect(tally).toEqual({ pass: 68, total: 68 });
  });
});
