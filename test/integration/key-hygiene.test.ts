/**
 * Static credentials short-lived and visible (issue 20 §2), on two real nodes sharing one PostgreSQL: the
 * maximum lifetime per kind, rotation with an overlap window, last use with the source address, and the
 * checksummed key format next to keys of the earlier format.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashCredential } from "../../lib/crypto/keys.ts";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let a: MandateHandle, b: MandateHandle;
const LIMITS = { MANDATE_MAX_AGENT_KEY_DAYS: "30", MANDATE_MAX_KEY_DAYS: "200" };
/** GitHub's side: a real P-256 key pair, its public key published in GitHub's format in a file. */
let reporterKey: KeyObject;
/** The webhook receiver (MANDATE_APPROVAL_WEBHOOK): what the nodes posted. */
let hook: Server;
const hooked: Array<Record<string, unknown>> = [];

/** Polls until `check` holds (no fixed sleeps); fails past `limitMs`. */
async function until(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}
/** The problem's code (RFC 9457 `type`: https://mandate.dev/problems/<code>). */
const code = (p: { type?: string }) => p.type?.split("/").pop();
const me = (n: MandateHandle, key: string) => api(n.url, key, "GET", "/api/v1/agents/me");

beforeAll(async () => {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  reporterKey = pair.privateKey;
  const keysFile = join(mkdtempSync(join(tmpdir(), "mandate-leak-keys-")), "keys.json");
  const pem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  writeFileSync(keysFile, JSON.stringify({ public_keys: [{ key_identifier: "test-kid-1", key: pem, is_current: true }] }));
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += String(c)));
    req.on("end", () => {
      hooked.push(JSON.parse(body) as Record<string, unknown>);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const port = (hook.address() as { port: number }).port;
  const env = { ...LIMITS, MANDATE_LEAK_REPORT_KEYS: keysFile, MANDATE_APPROVAL_WEBHOOK: `http://127.0.0.1:${port}/hook` };
  a = await startMandate({ env });
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ databaseUrl: a.databaseUrl, env: { ...env, MANDATE_MASTER_KEY: masterKey } });
}, 240_000);
afterAll(async () => {
  hook?.close();
  await b?.stop();
  await a?.stop();
  await closeTestDb();
});

describe("maximum lifetime", () => {
  it("refuses a lifetime over the kind's maximum with a 400 naming it, and creates nothing", async () => {
    const agent = await a.createAgent("kh-max");
    const over = await api(a.url, a.adminToken, "POST", `/api/v1/agents/kh-max/keys`, { expires_in_days: 31 });
    expect(over.status).toBe(400);
    expect(code(over.body)).toBe("key_lifetime_exceeded");
    expect(over.body.detail).toContain("at most 30 days");
    expect(over.body.detail).toContain("MANDATE_MAX_AGENT_KEY_DAYS");
    const n = await getPool().query("SELECT count(*)::int AS n FROM agent_keys WHERE agent_id = $1", [agent.id]);
    expect(n.rows[0].n).toBe(1); // the first key only
    const ok = await api(a.url, a.adminToken, "POST", `/api/v1/agents/kh-max/keys`, { expires_in_days: 30 });
    expect(ok.status).toBe(201);
    // The default (90) is lowered to the maximum.
    const dflt = await api(a.url, a.adminToken, "POST", `/api/v1/agents/kh-max/keys`, {});
    expect(Date.parse(dflt.body.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    expect(Date.parse(dflt.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('PEP keys: "never" and a lifetime over MANDATE_MAX_KEY_DAYS are refused; a stored key without expiry keeps working', async () => {
    const never = await api(a.url, a.adminToken, "POST", "/api/v1/stores/mcp/pep-keys", { name: "never", expires_in_days: null });
    expect([never.status, code(never.body)]).toEqual([400, "key_lifetime_required"]);
    const over = await api(a.url, a.adminToken, "POST", "/api/v1/stores/mcp/pep-keys", { name: "long", expires_in_days: 201 });
    expect([over.status, code(over.body)]).toEqual([400, "key_lifetime_exceeded"]);
    expect(over.body.detail).toContain("200");
    const made = await api(a.url, a.adminToken, "POST", "/api/v1/stores/mcp/pep-keys", { name: "legacy" });
    expect(made.status).toBe(201);
    expect(Date.parse(made.body.expires_at) - Date.now()).toBeLessThanOrEqual(200 * 86_400_000);
    // A key stored before PEP keys had to expire (as it was): not changed, still accepted.
    await getPool().query("UPDATE pep_keys SET expires_at = NULL WHERE key_id = $1", [made.body.key_id]);
    const r = await fetch(`${b.url}/access/v1/evaluation`, {
      method: "POST",
      headers: { authorization: `Bearer ${made.body.key}`, "content-type": "application/json" },
      body: JSON.stringify({ subject: { type: "agent", id: "x" }, action: { name: "tools/call" }, resource: { type: "tool", id: "files/read_file" } }),
    });
    expect(r.status).not.toBe(401);
  });
});

describe("rotation with an overlap window", () => {
  it("issues a new key; both work on both nodes until the overlap ends, then only the new one; audited", async () => {
    const agent = await a.createAgent("kh-rotate");
    const oldKeyId = agent.apiKey.slice(0, 15);
    expect((await me(b, agent.apiKey)).status).toBe(200);
    const r = await api(a.url, a.adminToken, "POST", `/api/v1/keys/${oldKeyId}/rotate`, { overlap_seconds: 3 });
    expect(r.status).toBe(201);
    expect(r.body.replaces.keyId).toBe(oldKeyId);
    const fresh: string = r.body.apiKey;
    expect((await me(a, fresh)).status).toBe(200);
    expect((await me(a, agent.apiKey)).status).toBe(200); // in the overlap
    // After the overlap: the old key is refused on both nodes, the new one works.
    await until(10_000, async () => (await me(b, agent.apiKey)).status === 401);
    expect((await me(a, agent.apiKey)).body.detail).toContain("expired");
    expect((await me(b, fresh)).status).toBe(200);
    const audit = await getPool().query("SELECT data FROM audit_entries WHERE action = 'key.rotate' AND agent_id = $1", [agent.id]);
    expect(audit.rows[0].data).toMatchObject({ replaces: oldKeyId, key_id: r.body.keyId, name: "kh-rotate" });
  });

  it("bounds the overlap, never extends a key, and rotates only an active key", async () => {
    const agent = await a.createAgent("kh-rotate2");
    const keyId = agent.apiKey.slice(0, 15);
    const long = await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyId}/rotate`, { overlap_seconds: 604_801 });
    expect([long.status, code(long.body)]).toEqual([400, "invalid_overlap"]);
    const tooLong = await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyId}/rotate`, { expires_in_days: 31 });
    expect([tooLong.status, code(tooLong.body)]).toEqual([400, "key_lifetime_exceeded"]);
    const n = await getPool().query("SELECT count(*)::int AS n FROM agent_keys WHERE agent_id = $1", [agent.id]);
    expect(n.rows[0].n).toBe(1); // refused rotations created nothing
    expect((await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyId}/revoke`, {})).status).toBe(200);
    expect((await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyId}/rotate`, {})).status).toBe(404);
  });
});

describe("last use", () => {
  it("records when and from which address each key was last used, off the request path", async () => {
    const agent = await a.createAgent("kh-used");
    for (let i = 0; i < 5; i++) expect((await me(b, agent.apiKey)).status).toBe(200);
    const hash = hashCredential(agent.apiKey);
    // Written by the node's batch (every 10 s), not by the request.
    await until(15_000, async () => {
      const r = await getPool().query("SELECT last_used_at, last_used_from FROM agent_keys WHERE key_hash = $1", [hash]);
      return r.rows[0].last_used_from === "127.0.0.1" && r.rows[0].last_used_at !== null;
    });
  }, 30_000);
});

describe("key format", () => {
  it("a key of the earlier format (no checksum) still works; a checksum look-alike is refused as malformed", async () => {
    const agent = await a.createAgent("kh-format");
    const legacy = "mnd_ak_kh2legcy_83MZUBvowdkS-_7091Ue3XNF4wZOfLXx";
    await getPool().query(
      "INSERT INTO agent_keys (id, agent_id, key_id, key_hash, expires_at) VALUES (gen_random_uuid(), $1, 'mnd_ak_kh2legcy', $2, now() + interval '1 day')",
      [agent.id, hashCredential(legacy)],
    );
    expect((await me(a, legacy)).status).toBe(200);
    expect((await me(b, legacy)).status).toBe(200);
    const last = agent.apiKey.at(-1) === "A" ? "B" : "A";
    const lookAlike = agent.apiKey.slice(0, -1) + last;
    const r = await me(a, lookAlike);
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain("malformed");
  });
});

describe("leak reports (GitHub secret-scanning partner format)", () => {
  const report = (n: MandateHandle, body: string, headers: Record<string, string>) =>
    fetch(`${n.url}/api/v1/keys/report-leak`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
  const signed = (body: string, key = reporterKey) => ({
    "Github-Public-Key-Identifier": "test-kid-1",
    "Github-Public-Key-Signature": sign("sha256", Buffer.from(body), key).toString("base64"),
  });
  const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

  it("a signed report revokes the key before the answer here, on the other node within the feed's bound; audited, owner notified", async () => {
    const agent = await a.createAgent("kh-leak");
    expect((await me(b, agent.apiKey)).status).toBe(200); // cached on b
    const lookAlike = agent.apiKey.slice(0, -1) + (agent.apiKey.at(-1) === "A" ? "B" : "A");
    const where = { url: "https://github.com/acme/agents/blob/abc123/.env", source: "content" };
    const body = JSON.stringify([
      { token: agent.apiKey, type: "mandate_agent_key", ...where },
      { token: lookAlike, type: "mandate_agent_key", ...where },
    ]);
    const r = await report(a, body, signed(body));
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { token_hash: sha256(agent.apiKey), token_type: "mandate_agent_key", label: "true_positive" },
      { token_hash: sha256(lookAlike), token_type: "mandate_agent_key", label: "false_positive" },
    ]);
    // In force on the answering node at once; on the other within the change feed's bound (1 s).
    expect((await me(a, agent.apiKey)).body.detail).toContain("revoked");
    expect(await until(1_000, async () => (await me(b, agent.apiKey)).status === 401)).toBeLessThanOrEqual(1_000);
    const audit = await getPool().query("SELECT actor, data FROM audit_entries WHERE action = 'key.leak_revoke' AND agent_id = $1", [agent.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor).toBe("github");
    expect(audit.rows[0].data).toMatchObject({ key_id: agent.apiKey.slice(0, 15), kind: "agent_key", owner: "kh-leak", ...where, already_revoked: false });
    await until(15_000, async () => hooked.some((h) => h.event === "key.leaked" && h.key_id === agent.apiKey.slice(0, 15)));
    expect(hooked.find((h) => h.key_id === agent.apiKey.slice(0, 15))).toMatchObject({ owner: "kh-leak", reporter: "github", ...where });
    // Reported again: still a true positive (already revoked), no second notification.
    const again = await report(b, body, signed(body));
    expect(again.body[0].label).toBe("true_positive");
  }, 30_000);

  it("refuses a report whose signature does not verify, or names an unknown key, and revokes nothing", async () => {
    const agent = await a.createAgent("kh-leak-bad");
    const body = JSON.stringify([{ token: agent.apiKey, type: "mandate_agent_key", url: "https://x", source: "content" }]);
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect((await report(a, body, signed(body, other))).status).toBe(401);
    const tampered = body.replace("https://x", "https://y");
    expect((await report(a, tampered, signed(body))).status).toBe(401);
    expect((await report(a, body, { ...signed(body), "Github-Public-Key-Identifier": "nope" })).status).toBe(401);
    expect((await report(a, body, {})).status).toBe(401);
    expect((await me(a, agent.apiKey)).status).toBe(200);
    expect((await me(b, agent.apiKey)).status).toBe(200);
  });

  it("an admin's token may report too (a PEP key here); a malformed report is a 400", async () => {
    const made = await api(a.url, a.adminToken, "POST", "/api/v1/stores/mcp/pep-keys", { name: "leaky" });
    const body = JSON.stringify([{ token: made.body.key, type: "mandate_pep_key", url: "https://paste.example/1", source: "paste" }]);
    const r = await report(b, body, { authorization: `Bearer ${a.adminToken}` });
    expect(r.status).toBe(200);
    expect(r.body[0].label).toBe("true_positive");
    const keys = await api(a.url, a.adminToken, "GET", "/api/v1/stores/mcp/pep-keys");
    expect(keys.body.keys.find((k: { key_id: string }) => k.key_id === made.body.key_id).revoked_at).not.toBeNull();
    expect((await report(a, JSON.stringify({ token: "x" }), { authorization: `Bearer ${a.adminToken}` })).status).toBe(400);
    expect((await report(a, "[]", { authorization: `Bearer ${a.adminToken}` })).status).toBe(400);
  });
});
