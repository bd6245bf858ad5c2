/**
 * Token exchange (RFC 8693) end to end on a real node: first hop from a personal API token or an OIDC
 * ID token, further hops, narrowing, the RFC 6749 error format, and the stored delegation graph.
 */
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createApiToken, createUser, revokeApiToken } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { api, closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const ID = "urn:ietf:params:oauth:token-type:id_token";

let m: MandateHandle;
let support: string, research: string, ops: string;
let idp: Server;
let idpKey: jose.CryptoKey;
let idpUrl: string;

async function form(path: string, fields: Record<string, string>, bearer?: string) {
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: r.status, headers: r.headers, body: await r.json() };
}
const grant = (subject: string, actor: string, extra: Record<string, string> = {}, subjectType = AT) =>
  form("/api/v1/token", { grant_type: EXCHANGE, subject_token: subject, subject_token_type: subjectType, actor_token: actor, actor_token_type: AT, ...extra });

async function startIdp(): Promise<void> {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
  idpKey = privateKey;
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "idp-1", alg: "RS256", use: "sig" };
  const port = await freePort();
  idpUrl = `http://127.0.0.1:${port}`;
  idp = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: idpUrl, jwks_uri: `${idpUrl}/jwks` }));
    else if (req.url === "/jwks") res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => idp.listen(port, "127.0.0.1", () => r()));
}
const idToken = (claims: Record<string, unknown>, aud = "mandate-test", exp = "10m") =>
  new jose.SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "idp-1" })
    .setIssuer(idpUrl)
    .setAudience(aud)
    .setSubject("oidc-user-1")
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(idpKey);

beforeAll(async () => {
  await startIdp();
  m = await startMandate({ env: { OIDC_ISSUER: idpUrl, OIDC_CLIENT_ID: "mandate-test" } });
  [support, ops, research] = m.credentials!.agents.map((a) => a.api_key);
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
  idp?.close();
});

describe("first hop", () => {
  it("issues a signed delegation token for a personal API token and an agent key", async () => {
    const r = await grant(m.adminToken, support, { scope: "tool:crm/* tool:web/fetch_url" });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body).toMatchObject({ issued_token_type: JWT, token_type: "N_A", scope: "tool:crm/* tool:web/fetch_url" });
    expect(r.body.expires_in).toBeGreaterThan(3500);
    const header = jose.decodeProtectedHeader(r.body.access_token);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "mandate-delegation+jwt" });
    const jwks = await (await fetch(`${m.url}/.well-known/jwks.json`)).json();
    const { payload } = await jose.jwtVerify(r.body.access_token, jose.createLocalJWKSet(jwks));
    const agent = await getPool().query("SELECT id FROM agents WHERE name = 'support-assistant'");
    expect(payload).toMatchObject({
      sub: "admin@mandate.local",
      sid: r.body.session_id,
      scope: "tool:crm/* tool:web/fetch_url",
      act: { sub: agent.rows[0].id, name: "support-assistant" },
    });
    expect(payload.act).not.toHaveProperty("act");
    const stored = await api(m.url, m.adminToken, "GET", `/api/v1/delegations/${payload.jti}`);
    expect(stored.body.delegation).toMatchObject({
      depth: 1,
      parent_id: null,
      session_id: r.body.session_id,
      subject: "admin@mandate.local",
      status: "active",
      scopes: ["tool:crm/*", "tool:web/fetch_url"],
    });
    const audit = await getPool().query("SELECT actor, data FROM audit_entries WHERE kind = 'delegation' AND data->>'jti' = $1", [payload.jti]);
    expect(audit.rows[0]).toMatchObject({ actor: "user:admin@mandate.local", data: { to: "support-assistant", depth: 1 } });
  });

  it("accepts an OIDC ID token verified against the provider's JWKS", async () => {
    const ok = await grant(await idToken({ email: "Oidc.User@Example.com" }), support, { scope: "tool:crm/*" }, ID);
    expect(ok.status).toBe(200);
    expect(jose.decodeJwt(ok.body.access_token).sub).toBe("oidc.user@example.com");
    const wrongAud = await grant(await idToken({ email: "a@b.c" }, "another-client"), support, { scope: "tool:crm/*" }, ID);
    expect(wrongAud.status).toBe(400);
    expect(wrongAud.body.error).toBe("invalid_grant");
    const forged = await new jose.SignJWT({ email: "a@b.c" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(idpUrl)
      .setAudience("mandate-test")
      .setSubject("x")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new Uint8Array(32));
    expect((await grant(forged, support, { scope: "tool:crm/*" }, ID)).body.error).toBe("invalid_grant");
  });

  it("caps the token at the subject credential's expiry and honours session_id", async () => {
    const s = `s-${randomUUID()}`;
    const r = await grant(m.adminToken, support, { scope: "tool:crm/*", session_id: s, expires_in: "120" });
    expect(r.body.session_id).toBe(s);
    expect(r.body.expires_in).toBeLessThanOrEqual(120);
  });
});

describe("errors in the RFC 6749 format", () => {
  it("names each problem", async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 400, "invalid_request"],
      [{ grant_type: "client_credentials" }, 400, "unsupported_grant_type"],
      [{ grant_type: EXCHANGE, subject_token: m.adminToken, subject_token_type: AT }, 400, "invalid_request"],
      [
        {
          grant_type: EXCHANGE,
          subject_token: m.adminToken,
          subject_token_type: AT,
          actor_token: "mnd_ak_aaaaaaaa_" + "x".repeat(32),
          actor_token_type: AT,
          scope: "tool:crm/*",
        },
        401,
        "invalid_client",
      ],
      [
        { grant_type: EXCHANGE, subject_token: support, subject_token_type: AT, actor_token: research, actor_token_type: AT, scope: "tool:crm/*" },
        400,
        "invalid_request",
      ],
      [{ grant_type: EXCHANGE, subject_token: m.adminToken, subject_token_type: AT, actor_token: support, actor_token_type: AT }, 400, "invalid_request"],
      [
        { grant_type: EXCHANGE, subject_token: m.adminToken, subject_token_type: AT, actor_token: support, actor_token_type: AT, scope: "crm:read" },
        400,
        "invalid_scope",
      ],
      [
        { grant_type: EXCHANGE, subject_token: "not-a-jwt-at-all", subject_token_type: JWT, actor_token: support, actor_token_type: AT, scope: "tool:crm/*" },
        400,
        "invalid_grant",
      ],
      [
        {
          grant_type: EXCHANGE,
          subject_token: m.adminToken,
          subject_token_type: "urn:x:unknown",
          actor_token: support,
          actor_token_type: AT,
          scope: "tool:crm/*",
        },
        400,
        "invalid_request",
      ],
    ];
    for (const [fields, status, error] of cases) {
      const r = await form("/api/v1/token", fields);
      expect({ fields, status: r.status, error: r.body.error }).toEqual({ fields, status, error });
      expect(typeof r.body.error_description).toBe("string");
    }
    const dup = await fetch(`${m.url}/api/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=${EXCHANGE}&grant_type=x`,
    });
    expect(await dup.json()).toMatchObject({ error: "invalid_request" });
    const json = await fetch(`${m.url}/api/v1/token`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect((await json.json()).error).toBe("invalid_request");
  });

  it("refuses a revoked personal token as subject", async () => {
    const admin = await getPool().query("SELECT id FROM users WHERE email = 'admin@mandate.local'");
    const t = await createApiToken(noNode(), admin.rows[0].id, "short-lived", "test:setup", 1);
    expect((await grant(t.secret, support, { scope: "tool:crm/*" })).status).toBe(200);
    await revokeApiToken(noNode(), t.keyId, "test:setup");
    await m.settle();
    const r = await grant(t.secret, support, { scope: "tool:crm/*" });
    expect(r.body).toMatchObject({ error: "invalid_grant", error_description: "subject_token: personal API token revoked" });
  });
});

describe("further hops", () => {
  it("narrows at each hop, refuses widening, and never outlives the parent", async () => {
    const parent = await grant(m.adminToken, support, { scope: "tool:crm/* tool:web/fetch_url", expires_in: "300" });
    const child = await grant(parent.body.access_token, research, { scope: "tool:crm/get_customer", expires_in: "3600" }, JWT);
    expect(child.status).toBe(200);
    expect(child.body.session_id).toBe(parent.body.session_id);
    const p = jose.decodeJwt(parent.body.access_token);
    const c = jose.decodeJwt(child.body.access_token);
    expect(c.exp).toBeLessThanOrEqual(p.exp!);
    expect((c.act as any).name).toBe("research-subagent");
    expect((c.act as any).act.name).toBe("support-assistant");
    const inherit = await grant(parent.body.access_token, research, {}, JWT);
    expect(inherit.body.scope).toBe("tool:crm/* tool:web/fetch_url");

    for (const scope of ["tool:mail/send_email", "tool:*/*", "tool:web/*", "tool:crm/* tool:files/read_file"]) {
      const w = await grant(parent.body.access_token, research, { scope }, JWT);
      expect(w.status).toBe(400);
      expect(w.body.error).toBe("invalid_scope");
      expect(w.body.error_description).toContain("can only narrow");
    }
    const narrower = await grant(child.body.access_token, ops, { scope: "tool:crm/*" }, JWT);
    expect(narrower.body.error).toBe("invalid_scope");
    const otherSession = await grant(parent.body.access_token, research, { session_id: "elsewhere" }, JWT);
    expect(otherSession.body.error).toBe("invalid_request");

    const graph = await api(m.url, m.adminToken, "GET", `/api/v1/delegations/${p.jti}`);
    expect(graph.body.descendants.map((d: any) => d.id)).toEqual(expect.arrayContaining([c.jti]));
    const g2 = await api(m.url, m.adminToken, "GET", `/api/v1/delegations/${c.jti}`);
    expect(g2.body.delegation.chain.map((x: any) => x.name)).toEqual(["support-assistant", "research-subagent"]);
    expect(g2.body.ancestors.map((d: any) => d.id)).toEqual([p.jti]);
    const list = await api(m.url, m.adminToken, "GET", `/api/v1/delegations?session_id=${encodeURIComponent(parent.body.session_id)}`);
    expect(list.body.delegations.length).toBe(3); // parent, child, inherited
  });

  it("documents the endpoints in OpenAPI and publishes server metadata", async () => {
    const doc = await (await fetch(`${m.url}/api/openapi.json`)).json();
    expect(doc.paths["/api/v1/token"].post.requestBody.content).toHaveProperty("application/x-www-form-urlencoded");
    for (const p of ["/api/v1/token/revoke", "/.well-known/jwks.json", "/api/v1/approvals/{id}", "/api/v1/approvals/{id}/decision"])
      expect(doc.paths).toHaveProperty([p]);
    const meta = await (await fetch(`${m.url}/.well-known/oauth-authorization-server`)).json();
    expect(meta).toMatchObject({
      token_endpoint: `${m.url}/api/v1/token`,
      jwks_uri: `${m.url}/.well-known/jwks.json`,
      grant_types_supported: [EXCHANGE, "urn:ietf:params:oauth:grant-type:jwt-bearer"],
    });
  });

  it("lets only users list delegations", async () => {
    expect((await api(m.url, support, "GET", "/api/v1/delegations")).status).toBe(403);
    const viewer = await createUser(noNode(), { email: `viewer-${Date.now()}@example.com`, role: "viewer" }, "test:setup");
    const vt = await createApiToken(noNode(), viewer.id, "viewer", "test:setup", 1);
    expect((await api(m.url, vt.secret, "GET", "/api/v1/delegations")).status).toBe(200);
  });
});
