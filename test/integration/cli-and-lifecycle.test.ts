/**
 * The `mandate` CLI against a running node and against a stopped one (it then starts the embedded
 * PostgreSQL itself), and the embedded lifecycle: Ctrl-C leaves no postgres behind, data survives.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool } from "../../lib/db/pool.ts";
import { api, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, MANDATE_DATA_DIR: m.dataDir };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [join(ROOT, "bin/mandate.mjs"), ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  m = await startMandate();
});
afterAll(async () => {
  await closePool();
  await m?.stop();
});

describe("CLI while the node runs", () => {
  it("creates an agent whose key works, and revokes it by key id", async () => {
    const created = cli(["agents", "create", "--name", "cli-bot", "--team", "ops"]);
    expect(created.code).toBe(0);
    const apiKey = /API key \(shown once\): (\S+)/.exec(created.out)![1];
    const keyId = /Key id: (\S+)/.exec(created.out)![1];
    const body = { session: { id: "cli-s" }, tool: { server: "files", name: "read_file" }, arguments: {} };
    expect((await api(m.url, apiKey, "POST", "/api/v1/decisions", body)).status).toBe(200);
    expect(cli(["keys", "revoke", keyId]).code).toBe(0);
    await m.settle();
    const r = await api(m.url, apiKey, "POST", "/api/v1/decisions", body);
    expect(r.status).toBe(401);
    expect(r.body.detail).toBe("credential revoked");
  });

  it("validates policies with file:line:column and refuses to publish an invalid one", () => {
    const bad = join(m.dataDir, "bad.cedar");
    writeFileSync(bad, `@id("x")\npermit(principal, action, resource)\nwhen { resource.riskLevel == "high" };\n`);
    const v = cli(["policy", "validate", bad]);
    expect(v.code).toBe(1);
    expect(v.err).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3:\\d+: \\[x\\]`));
    expect(cli(["policy", "publish", bad]).code).toBe(1);
    const good = join(m.dataDir, "good.cedar");
    writeFileSync(good, `@id("all-reads")\npermit(principal, action, resource) when { resource.effect == "read" };\n`);
    expect(cli(["policy", "validate", good]).code).toBe(0);
  });

  it("creates users, approves tools and verifies the audit log", () => {
    const u = cli(["users", "create", "--email", "ana@example.com", "--role", "analyst"]);
    expect(u.code).toBe(0);
    expect(u.out).toMatch(/One-time password: \S+/);
    expect(cli(["users", "create", "--email", "ana@example.com", "--role", "analyst"]).code).toBe(1);
    expect(cli(["tools", "approve", "crm/export_customers"]).out).toMatch(/Approved crm\/export_customers: read\/high/);
    const v = cli(["audit", "verify"]);
    expect(v.code).toBe(0);
    expect(v.out).toContain("audit log intact");
  });

  it("rejects unknown commands and bad flags with usage", () => {
    expect(cli(["frobnicate"]).code).toBe(2);
    expect(cli(["users", "create", "--nope"]).code).toBe(2);
  });
});

describe("embedded PostgreSQL lifecycle", () => {
  it("Ctrl-C stops postgres too, the CLI works on the stopped node, and data survives a restart", async () => {
    await m.stop("SIGINT");
    expect(existsSync(join(m.dataDir, "pg", "postmaster.pid"))).toBe(false);
    const cp = cli(["audit", "checkpoint"]);
    expect(cp.code).toBe(0);
    const v = cli(["audit", "verify"]);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/1\/1 checkpoint\(s\) verified|\d+\/\d+ checkpoint\(s\) verified/);
    expect(existsSync(join(m.dataDir, "pg", "postmaster.pid"))).toBe(false);
    await m.restart();
    const users = cli(["users", "create", "--email", "ana@example.com", "--role", "viewer"]);
    expect(users.err).toContain("already exists");
  });
});
