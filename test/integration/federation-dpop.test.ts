/**
 * DPoP (RFC 9449) for federated access tokens, on two real nodes sharing one PostgreSQL and one public URL
 * (as behind a load balancer), with a real local issuer: an exchange with a proof gives a token bound to the
 * proof's key (EdDSA and ES256); calls with a correct proof are allowed; the same token as Bearer, a proof
 * replayed on the other node, a proof for another method, URL or token, or of another key are refused with
 * 401 `WWW-Authenticate: DPoP error=…` and a `dpop.refuse` audit entry; a bound token's renewal needs its
 * key; and `mandate-gateway --token-file --dpop` runs an agent end to end on a bound token.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashCredential } from "../../lib/crypto/keys.ts";
import { getPool } from "../../lib/db/pool.ts";
import { startIssuer, type TestIssuer } from "../support/jwt-issuer.ts";
import { api, closeTestDb, freePort, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const AUD = "mandate-dpop-test";
const AGENT = "support-assistant";

let a: MandateHandle, b: MandateHandle;
let publicUrl: string;
let k8s: TestIssuer;
let dir: string;

interface Key {
  alg: "ES256" | "EdDSA";
  priv: CryptoKey;
  jwk: jose.JWK;
  jkt: string;
}
async function newKey(alg: Key["alg"]): Promise<Key> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg);
  const jwk = await jose.exportJWK(publicKey);
  return { alg, priv: privateKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, "sha256") };
}
const ath = (token: string) => createHash("sha256").update(token).digest("base64url");
function proof(key: Key, htm: string, path: string, opts: { token?: string; htu?: string; iat?: number; typ?: string } = {}): Promise<string> {
  return new jose.SignJWT({ htm, htu: opts.htu ?? `${publicUrl}${path}`, jti: randomUUID(), ...(opts.token ? { ath: ath(opts.token) } : {}) })
    .setProtectedHeader({ alg: key.alg, typ: opts.typ ?? "dpop+jwt", jwk: key.jwk })
    .setIssuedAt(opts.iat)
    .sign(key.priv);
}
async function tokenRequest(node: MandateHandle, form: Record<string, string>, dpop?: string) {
  const r = await fetch(`${node.url}/api/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(dpop ? { dpop } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}
async function me(node: MandateHandle, authorization: string, dpop?: string) {
  const r = await fetch(`${node.url}/api/v1/agents/me`, { headers: { authorization, ...(dpop ? { dpop } : {}) } });
  const body = (await r.json()) as Record<string, string>;
  return { status: r.status, body, challenge: r.headers.get("www-authenticate") ?? "" };
}
async function dpopRefusals(): Promise<string[]> {
  const r = await getPool().query<{ reason: string }>(`SELECT data->>'reason' AS reason FROM audit_entries WHERE action = 'dpop.refuse' ORDER BY seq`);
  return r.rows.map((x) => x.reason);
}

beforeAll(async () => {
  k8s = await startIssuer("RS256");
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  a = await startMandate({ port, env: { MANDATE_PUBLIC_URL: publicUrl } });
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ databaseUrl: a.databaseUrl, env: { MANDATE_MASTER_KEY: masterKey, MANDATE_PUBLIC_URL: publicUrl } });
  const rule = await api(a.url, a.adminToken, "POST", `/api/v1/agents/${AGENT}/trust`, {
    issuer: k8s.url,
    subject: "system:serviceaccount:support:assistant",
    audience: AUD,
  });
  expect(rule.status).toBe(201);
  dir = mkdtempSync(join(tmpdir(), "mandate-dpop-"));
}, 180_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await closeTestDb();
  await k8s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const platformToken = () => k8s.kubernetes("support", "assistant", AUD);

describe("a DPoP-bound access token", () => {
  it("is issued for a proof's key and accepted with a proof of that key, on either node; refused as Bearer or with a bad proof", async () => {
    const key = await newKey("EdDSA");
    const ex = await tokenRequest(a, { grant_type: JWT_BEARER, assertion: await platformToken() }, await proof(key, "POST", "/api/v1/token"));
    expect(ex.status, JSON.stringify(ex.body)).toBe(200);
    expect(ex.body.token_type).toBe("DPoP");
    const token = ex.body.access_token;
    const stored = await getPool().query(`SELECT dpop_jkt FROM agent_access_tokens WHERE token_hash = $1`, [hashCredential(token)]);
    expect(stored.rows[0].dpop_jkt).toBe(key.jkt);
    const exchanged = await getPool().query(`SELECT 1 FROM audit_entries WHERE action = 'federation.exchange' AND data->>'dpop_jkt' = $1`, [key.jkt]);
    expect(exchanged.rowCount).toBe(1);

    // Correct proofs: allowed, on both nodes, GET and POST.
    const ok = await me(a, `DPoP ${token}`, await proof(key, "GET", "/api/v1/agents/me", { token }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.name).toBe(AGENT);
    expect((await me(b, `DPoP ${token}`, await proof(key, "GET", "/api/v1/agents/me", { token }))).status).toBe(200);
    const decision = await fetch(`${b.url}/api/v1/decisions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `DPoP ${token}`, dpop: await proof(key, "POST", "/api/v1/decisions", { token }) },
      body: JSON.stringify({ session: { id: `dpop-${randomUUID()}` }, tool: { server: "crm", name: "get_customer" }, arguments: { customer_id: "c-1" } }),
    });
    expect(decision.status).toBe(200);

    const refused = async (what: string, r: Awaited<ReturnType<typeof me>>, code: string, reason: string) => {
      expect(r.status, what).toBe(401);
      expect(r.challenge, what).toMatch(new RegExp(`^DPoP .*error="${code}"`));
      expect(r.body.detail, what).toContain(reason);
      // Each node appends to its own chain: look for the entry, not at the last seq.
      expect(await dpopRefusals(), what).toContainEqual(expect.stringContaining(reason));
    };
    // Stolen and presented as Bearer; or as DPoP with no proof.
    await refused("as Bearer", await me(a, `Bearer ${token}`), "invalid_token", "present it as Authorization: DPoP");
    await refused("no proof", await me(a, `DPoP ${token}`), "invalid_dpop_proof", "a DPoP proof (the DPoP header) is required");
    // A proof replayed on the other node.
    const once = await proof(key, "GET", "/api/v1/agents/me", { token });
    expect((await me(a, `DPoP ${token}`, once)).status).toBe(200);
    await refused("replayed on the other node", await me(b, `DPoP ${token}`, once), "invalid_dpop_proof", "replayed");
    // For another method, URL or token; of another key; too old; not a DPoP proof.
    await refused("htm", await me(a, `DPoP ${token}`, await proof(key, "POST", "/api/v1/agents/me", { token })), "invalid_dpop_proof", "htm is POST");
    await refused("htu", await me(a, `DPoP ${token}`, await proof(key, "GET", "/api/v1/decisions", { token })), "invalid_dpop_proof", "htu is");
    await refused("ath", await me(a, `DPoP ${token}`, await proof(key, "GET", "/api/v1/agents/me", { token: `${token}x` })), "invalid_dpop_proof", "ath");
    const other = await newKey("ES256");
    await refused("key", await me(a, `DPoP ${token}`, await proof(other, "GET", "/api/v1/agents/me", { token })), "invalid_dpop_proof", "another key");
    const old = Math.floor(Date.now() / 1000) - 120;
    await refused("iat", await me(a, `DPoP ${token}`, await proof(key, "GET", "/api/v1/agents/me", { token, iat: old })), "invalid_dpop_proof", "too old");
    await refused("typ", await me(a, `DPoP ${token}`, await proof(key, "GET", "/api/v1/agents/me", { token, typ: "JWT" })), "invalid_dpop_proof", "typ");
    const actor = await getPool().query(
      `SELECT actor, agent_id IS NOT NULL AS has_agent, data->>'jkt' AS jkt FROM audit_entries WHERE action = 'dpop.refuse' AND data->>'reason' LIKE '%typ%'`,
    );
    expect(actor.rows).toEqual([{ actor: `agent:${AGENT}`, has_agent: true, jkt: key.jkt }]);
  }, 60_000);

  it("is renewed only with a proof of its key; an ES256 key works too; a bad proof at the token endpoint is refused and audited", async () => {
    const key = await newKey("ES256");
    const bad = await tokenRequest(a, { grant_type: JWT_BEARER, assertion: await platformToken() }, await proof(key, "POST", "/api/v1/other"));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_dpop_proof");
    const audited = await getPool().query(
      `SELECT 1 FROM audit_entries WHERE action = 'federation.refuse' AND data->>'reason' LIKE 'DPoP: the DPoP proof''s htu%'`,
    );
    expect(audited.rowCount).toBe(1);

    const ex = await tokenRequest(a, { grant_type: JWT_BEARER, assertion: await platformToken() }, await proof(key, "POST", "/api/v1/token"));
    expect(ex.body.token_type).toBe("DPoP");
    const renew = { grant_type: EXCHANGE, subject_token: ex.body.access_token, subject_token_type: AT };
    const without = await tokenRequest(b, renew);
    expect(without.status).toBe(400);
    expect(without.body.error_description).toContain("needs a DPoP proof of its key");
    const otherKey = await tokenRequest(b, renew, await proof(await newKey("EdDSA"), "POST", "/api/v1/token"));
    expect(otherKey.status).toBe(400);
    expect(otherKey.body.error_description).toContain("another key");
    const renewed = await tokenRequest(b, renew, await proof(key, "POST", "/api/v1/token"));
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(renewed.body.token_type).toBe("DPoP");
    const t = renewed.body.access_token;
    expect((await me(a, `DPoP ${t}`, await proof(key, "GET", "/api/v1/agents/me", { token: t }))).status).toBe(200);

    // Without a proof the exchange gives a bearer token, which the DPoP scheme does not accept.
    const plain = await tokenRequest(a, { grant_type: JWT_BEARER, assertion: await platformToken() });
    expect(plain.body.token_type).toBe("Bearer");
    expect((await me(a, `Bearer ${plain.body.access_token}`)).status).toBe(200);
    const asDpop = await me(a, `DPoP ${plain.body.access_token}`, await proof(key, "GET", "/api/v1/agents/me", { token: plain.body.access_token }));
    expect(asDpop.status).toBe(401);
    expect(asDpop.challenge).toContain('error="invalid_token"');
  }, 60_000);
});

it("mandate-gateway --token-file --dpop runs an agent end to end on a DPoP-bound token", async () => {
  const file = join(dir, "token");
  writeFileSync(file, await platformToken());
  const before = (await getPool().query(`SELECT count(*)::int AS n FROM agent_access_tokens WHERE dpop_jkt IS NOT NULL`)).rows[0].n as number;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      join(ROOT, "bin/mandate-gateway.mjs"),
      "stdio",
      "--server",
      "crm",
      "--token-file",
      file,
      "--dpop",
      "--spool-dir",
      join(dir, "spool"),
      "--",
      process.execPath,
      "--import",
      "tsx",
      join(ROOT, "examples/mcp-servers/crm.ts"),
    ],
    env: { ...getDefaultEnvironment(), MANDATE_URL: publicUrl },
    stderr: "pipe",
    cwd: ROOT,
  });
  let stderr = "";
  transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: "dpop-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    const r = await client.callTool({ name: "get_customer", arguments: { customer_id: "cus_1001" } });
    expect(r.isError, `${JSON.stringify(r)}\n${stderr}`).toBeFalsy();
  } finally {
    await client.close();
  }
  const after = (await getPool().query(`SELECT count(*)::int AS n FROM agent_access_tokens WHERE dpop_jkt IS NOT NULL`)).rows[0].n as number;
  expect(after).toBe(before + 1);
  const decided = await getPool().query(
    `SELECT e.action FROM audit_entries e JOIN agents g ON g.id = e.agent_id WHERE g.name = $1 AND e.kind = 'decision' AND e.tool = 'crm/get_customer' ORDER BY e.seq DESC LIMIT 1`,
    [AGENT],
  );
  expect(decided.rows[0].action).toBe("decision.allow");
}, 90_000);
