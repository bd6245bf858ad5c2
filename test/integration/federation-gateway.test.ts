/**
 * The gateway on a federated identity, end to end: `mandate-gateway stdio --token-file <path>` in front of
 * the demo CRM server, with no Mandate secret anywhere on its side — the file holds a Kubernetes-shaped
 * platform token from a real local issuer; the gateway exchanges it and renews its access token (12 s here)
 * every 8 s, and when the issuer rotates its key and a new token is written to the file (as the kubelet
 * does), the gateway exchanges that one at its next renewal; calls keep being allowed throughout.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import * as jose from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { startIssuer, type TestIssuer } from "../support/jwt-issuer.ts";
import { api, closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const AUD = "mandate-gateway-test";
let m: MandateHandle;
let k8s: TestIssuer;
let dir: string;

beforeAll(async () => {
  k8s = await startIssuer("RS256");
  m = await startMandate({ env: { MANDATE_FEDERATION_JWKS_COOLDOWN_S: "1", MANDATE_FEDERATION_TOKEN_TTL_S: "12" } });
  dir = mkdtempSync(join(tmpdir(), "mandate-fed-gw-"));
}, 120_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
  await k8s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("runs an agent through the gateway on a projected platform token, across a key rotation at the issuer", async () => {
  const sa = "system:serviceaccount:support:assistant";
  const rule = await api(m.url, m.adminToken, "POST", "/api/v1/agents/support-assistant/trust", { issuer: k8s.url, subject: sa, audience: AUD });
  expect(rule.status).toBe(201);
  const file = join(dir, "token");
  writeFileSync(file, await k8s.kubernetes("support", "assistant", AUD, { exp: Math.floor(Date.now() / 1000) + 300 }));

  const env = getDefaultEnvironment();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(ROOT, "bin/mandate-gateway.mjs"),
      "stdio",
      "--server",
      "crm",
      "--token-file",
      file,
      "--spool-dir",
      join(dir, "spool"),
      "--",
      process.execPath,
      "--import",
      "tsx",
      join(ROOT, "examples/mcp-servers/crm.ts"),
    ],
    env: { ...env, MANDATE_URL: m.url }, // no MANDATE_API_KEY: no secret on the gateway's side
    stderr: "pipe",
    cwd: ROOT,
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "federation-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    const call = () => client.callTool({ name: "get_customer", arguments: { customer_id: "cus_1001" } });
    const first = await call();
    expect(first.isError, `${JSON.stringify(first)}\n${stderr}`).toBeFalsy();

    // The issuer rotates its key; the kubelet writes a new token into the file.
    await k8s.rotate();
    const second = await k8s.kubernetes("support", "assistant", AUD, { exp: Math.floor(Date.now() / 1000) + 600 });
    writeFileSync(file, second);
    const jti = jose.decodeJwt(second).jti as string;
    await waitFor("the gateway to exchange the new platform token", async () => {
      const r = await getPool().query(`SELECT 1 FROM audit_entries WHERE action = 'federation.exchange' AND data->>'jti' = $1`, [jti]);
      return r.rowCount === 1;
    });
    const later = await call();
    expect(later.isError, `${JSON.stringify(later)}\n${stderr}`).toBeFalsy();
    const decided = await getPool().query(
      `SELECT e.action FROM audit_entries e JOIN agents a ON a.id = e.agent_id WHERE a.name = 'support-assistant' AND e.kind = 'decision' AND e.tool = 'crm/get_customer' ORDER BY e.seq DESC LIMIT 2`,
    );
    expect(decided.rows.map((r) => r.action as string)).toEqual(["decision.allow", "decision.allow"]);
  } finally {
    await client.close();
  }
}, 120_000);

it("refuses to start on a platform token Mandate does not trust (exit 2, the reason on stderr)", async () => {
  const file = join(dir, `bad-${randomUUID()}`);
  writeFileSync(file, await k8s.kubernetes("support", "intruder", AUD));
  const child = spawn(process.execPath, [join(ROOT, "bin/mandate-gateway.mjs"), "stdio", "--server", "crm", "--token-file", file, "--", "true"], {
    env: { ...process.env, MANDATE_API_KEY: "", MANDATE_URL: m.url },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once("close", r));
  expect(code).toBe(2);
  expect(err).toContain("subject system:serviceaccount:support:intruder is not trusted");
}, 60_000);
