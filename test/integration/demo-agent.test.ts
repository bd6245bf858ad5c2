/**
 * `npm run demo:agent` against a real node, as the README and docs/gateway.md tell a user to run it:
 * the demo agent's key from the node's initial credentials, and a personal API token made with
 * `mandate tokens create`, so that the delegation step (RFC 8693 token exchange, then the sub-agent's
 * call with the delegation token) runs and succeeds.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { closePool, getPool } from "../../lib/db/pool.ts";
import { ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;

beforeAll(async () => {
  m = await startMandate();
});
afterAll(async () => {
  await closePool();
  await m?.stop();
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

it("runs the demo session, and its delegation to research-subagent succeeds with a user's personal token", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, MANDATE_DATA_DIR: m.dataDir };
  delete env.DATABASE_URL;
  // A user's personal API token, the way the README says to get one.
  const admin = m.credentials!.admin.email;
  const made = spawnSync(process.execPath, [join(ROOT, "bin/mandate.mjs"), "tokens", "create", "--email", admin], { cwd: ROOT, env, encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);
  const userToken = /^(mnd_pt_\S+)$/m.exec(made.stdout)![1];

  const demo = await run(process.execPath, ["--import", "tsx", join(ROOT, "gateway/demo/agent.ts")], {
    ...env,
    MANDATE_URL: m.url,
    MANDATE_USER_TOKEN: userToken,
    // Nobody approves the destructive call here: it times out after 1 s and the demo goes on.
    DEMO_APPROVAL_WAIT_MS: "1000",
  });
  expect(demo.code, `${demo.out}\n${demo.err}`).toBe(0);
  expect(demo.out).not.toContain("token exchange refused");
  // "ok", or the tool's own error where this machine cannot reach the page: Mandate allowed the call.
  expect(demo.out).toMatch(/▶ sub-agent fetches a page on the user's behalf: (ok|allowed, but the tool failed)\n/);

  const session = /session (demo-\S+):/.exec(demo.out)![1];
  const delegations = await getPool().query<{ name: string; scopes: string[] }>(
    `SELECT a.name, d.scopes FROM delegations d JOIN agents a ON a.id = d.agent_id WHERE d.session_id = $1`,
    [session],
  );
  expect(delegations.rows).toEqual(
    expect.arrayContaining([
      { name: "support-assistant", scopes: ["tool:web/*"] },
      { name: "research-subagent", scopes: ["tool:web/fetch_url"] },
    ]),
  );
  expect(delegations.rows).toHaveLength(2);
  const subCalls = await getPool().query<{ action: string; tool: string }>(
    `SELECT e.action, e.tool FROM audit_entries e JOIN agents a ON a.id = e.agent_id
      WHERE e.session_id = $1 AND e.kind = 'decision' AND a.name = 'research-subagent'`,
    [session],
  );
  expect(subCalls.rows).toEqual([{ action: "decision.allow", tool: "web/fetch_url" }]);
});
