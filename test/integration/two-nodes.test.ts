/**
 * Two Mandate nodes on one PostgreSQL (the second started with the first's DATABASE_URL and the same
 * MANDATE_MASTER_KEY): they agree on session state, approvals, delegation tokens and signing keys, and
 * a change on one node takes effect on the other within a second.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, DEFAULT_POLICY, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const AT = "urn:ietf:params:oauth:token-type:access_token";
const PROPAGATION_MS = 1000;

let a: MandateHandle, b: MandateHandle;
let key: string, research: string;

const decide = (n: MandateHandle, k: string, session: string, tool: string, args: Record<string, unknown> = {}, token?: string) => {
  const [server, name] = tool.split("/");
  return api(n.url, k, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server, name },
    arguments: args,
    ...(token ? { delegation_token: token } : {}),
  });
};
const exchange = (n: MandateHandle, fields: Record<string, string>) =>
  fetch(`${n.url}/api/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", actor_token_type: AT, ...fields }).toString(),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

/** Polls until `check` holds; returns the milliseconds it took (fails the test past the limit). */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > limitMs + 2000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const took = Date.now() - t0;
  expect(took).toBeLessThanOrEqual(limitMs);
  return took;
}

beforeAll(async () => {
  a = await startMandate({ workers: 2 });
  const masterKey = readFileSync(join(a.dataDir, "master.key"), "utf8").trim();
  b = await startMandate({ databaseUrl: a.databaseUrl, env: { MANDATE_MASTER_KEY: masterKey }, workers: 2 });
  [key, , research] = a.credentials!.agents.map((x) => x.api_key);
}, 240_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await closeTestDb();
});

describe("shared state", () => {
  it("several hundred concurrent decisions on one session across both nodes: exact steps", async () => {
    const s = `two-${randomUUID()}`;
    const N = 400;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => decide(i % 2 ? b : a, key, s, "files/read_file", { path: `f${i}` })));
    expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
    const steps = results.map((r) => r.body.session.step).sort((x, y) => x - y);
    expect(steps).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    const row = await getPool().query("SELECT step_count FROM sessions WHERE id = $1", [s]);
    expect(row.rows[0].step_count).toBe(N);
    const entries = await getPool().query(
      "SELECT count(*)::int AS n, count(DISTINCT step)::int AS d FROM audit_entries WHERE session_id = $1 AND kind = 'decision'",
      [s],
    );
    expect(entries.rows[0]).toEqual({ n: N, d: N });
  }, 120_000);

  it("no approval is decided twice, and an approval is used once, across nodes", async () => {
    const s = `two-ap-${randomUUID()}`;
    const gated = await Promise.all(Array.from({ length: 5 }, (_, i) => decide(i % 2 ? a : b, key, s, "files/delete_file", { path: `x${i}` })));
    const ids = gated.map((g) => g.body.approval.id as string);
    const tries = await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 8 }, (_, j) =>
          api(j % 2 ? b.url : a.url, j % 2 ? b.adminToken : a.adminToken, "POST", `/api/v1/approvals/${id}/decision`, { decision: "approve" }),
        ),
      ),
    );
    expect(tries.filter((t) => t.status === 200).length).toBe(ids.length);
    expect(tries.filter((t) => t.status === 409).length).toBe(ids.length * 7);
    const audit = await getPool().query(
      "SELECT data->>'approval_id' AS id, count(*)::int AS n FROM audit_entries WHERE kind = 'approval' AND data->>'approval_id' = ANY($1) GROUP BY 1",
      [ids],
    );
    expect(audit.rows.map((r) => r.n)).toEqual(ids.map(() => 1));

    const retries = await Promise.all(Array.from({ length: 16 }, (_, j) => decide(j % 2 ? b : a, key, s, "files/delete_file", { path: "x0" })));
    expect(retries.filter((r) => r.body.decision === "allow").length).toBe(1);
    const used = await getPool().query("SELECT status FROM approvals WHERE id = $1", [ids[0]]);
    expect(used.rows[0].status).toBe("used");
  }, 60_000);

  it("a long-poll on one node wakes when the approval is decided on the other", async () => {
    const g = await decide(a, key, `two-lp-${randomUUID()}`, "files/delete_file", { path: "lp" });
    const id = g.body.approval.id;
    const t0 = Date.now();
    const [polled] = await Promise.all([
      api(a.url, key, "GET", `/api/v1/approvals/${id}?wait=20`),
      new Promise((r) => setTimeout(r, 300)).then(() =>
        api(b.url, b.adminToken, "POST", `/api/v1/approvals/${id}/decision`, { decision: "deny", comment: "no" }),
      ),
    ]);
    expect(polled.body.status).toBe("denied");
    expect(Date.now() - t0).toBeLessThan(300 + PROPAGATION_MS + 500);
  });

  it("a token issued on one node verifies on the other; both publish the same keys", async () => {
    const t = await exchange(a, { subject_token: a.adminToken, subject_token_type: AT, actor_token: key, scope: "tool:crm/*" });
    expect((await decide(b, key, t.body.session_id, "crm/get_customer", { customer_id: "c" }, t.body.access_token)).body.decision).toBe("allow");
    const [ja, jb] = await Promise.all([a, b].map((n) => fetch(`${n.url}/.well-known/jwks.json`).then((r) => r.json())));
    expect(jb).toEqual(ja);
  });

  it("the audit chain of both nodes verifies (mandate audit verify exits 0)", async () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "audit", "verify"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: a.databaseUrl, MANDATE_DATA_DIR: a.dataDir },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(`${r.stdout}${r.stderr}`).toContain("audit log intact");
    expect(r.status).toBe(0);
    const chains = await getPool().query("SELECT count(DISTINCT node)::int AS n FROM audit_chains");
    expect(chains.rows[0].n).toBeGreaterThanOrEqual(2);
  }, 90_000);
});

describe("a change on one node takes effect on the other within a second", () => {
  it("a revoked agent key", async () => {
    const x = await a.createAgent(`two-key-${Date.now()}`);
    expect((await decide(b, x.apiKey, `k-${randomUUID()}`, "files/read_file", { path: "a" })).status).toBe(200);
    const keyId = x.apiKey.slice(0, 15);
    expect((await api(a.url, a.adminToken, "POST", `/api/v1/keys/${keyId}/revoke`, {})).status).toBe(200);
    await within(PROPAGATION_MS, async () => (await decide(b, x.apiKey, `k-${randomUUID()}`, "files/read_file", { path: "a" })).status === 401);
  });

  it("a suspended agent", async () => {
    const x = await a.createAgent(`two-sus-${Date.now()}`);
    const s = `sus-${randomUUID()}`;
    expect((await decide(b, x.apiKey, s, "files/read_file", { path: "a" })).body.decision).toBe("allow");
    expect((await api(a.url, a.adminToken, "POST", `/api/v1/agents/${x.name}/suspend`, { reason: "two-node test" })).status).toBe(200);
    await within(
      PROPAGATION_MS,
      async () => (await decide(b, x.apiKey, s, "files/read_file", { path: "a" })).body.reasons[0].policy === "mandate.agent_suspended",
    );
  });

  it("a revoked delegation token (and its descendants)", async () => {
    const t = await exchange(b, { subject_token: b.adminToken, subject_token_type: AT, actor_token: key, scope: "tool:web/*" });
    const child = await exchange(b, { subject_token: t.body.access_token, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", actor_token: research });
    const s = t.body.session_id;
    expect((await decide(b, key, s, "web/fetch_url", { url: "https://x" }, t.body.access_token)).body.decision).toBe("allow");
    expect((await decide(b, research, s, "web/fetch_url", { url: "https://y" }, child.body.access_token)).body.decision).toBe("allow");
    const rev = await fetch(`${a.url}/api/v1/token/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${a.adminToken}` },
      body: new URLSearchParams({ token: t.body.access_token }).toString(),
    });
    expect(await rev.json()).toEqual({ revoked: 2 });
    await within(
      PROPAGATION_MS,
      async () => (await decide(b, research, s, "web/fetch_url", { url: "https://y" }, child.body.access_token)).body.decision === "deny",
    );
    expect((await decide(b, key, s, "web/fetch_url", { url: "https://x" }, t.body.access_token)).body.reasons[0].message).toBe("delegation token was revoked");
  });

  it("a published policy", async () => {
    const s = `pol-${randomUUID()}`;
    expect((await decide(b, key, s, "crm/get_customer", { customer_id: "c" })).body.decision).toBe("allow");
    const extra = `${DEFAULT_POLICY}\n@id("two-node-freeze")\n@reason("crm frozen")\nforbid (principal, action, resource) when { resource.server == "crm" };\n`;
    expect((await api(a.url, a.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: extra })).status).toBe(201);
    await within(PROPAGATION_MS, async () => (await decide(b, key, s, "crm/get_customer", { customer_id: "c" })).body.reasons[0]?.policy === "two-node-freeze");
    expect((await api(a.url, a.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: DEFAULT_POLICY })).status).toBe(201);
  });

  it("a rotated signing key: the other node signs with it, and older tokens keep verifying", async () => {
    const before = await exchange(b, { subject_token: b.adminToken, subject_token_type: AT, actor_token: key, scope: "tool:crm/*" });
    const rot = await api(a.url, a.adminToken, "POST", "/api/v1/signing-keys/rotate", {});
    expect(rot.status).toBe(201);
    await within(PROPAGATION_MS, async () => {
      const t = await exchange(b, { subject_token: b.adminToken, subject_token_type: AT, actor_token: key, scope: "tool:crm/*" });
      return jose.decodeProtectedHeader(t.body.access_token).kid === rot.body.kid;
    });
    expect((await decide(a, key, before.body.session_id, "crm/get_customer", { customer_id: "c" }, before.body.access_token)).body.decision).toBe("allow");
    expect((await decide(b, key, before.body.session_id, "crm/get_customer", { customer_id: "c" }, before.body.access_token)).body.decision).toBe("allow");
  });
});
