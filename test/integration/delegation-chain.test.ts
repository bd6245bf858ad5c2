/**
 * Delegation tokens on the decision path of a real node: scope, spoofed actors, sessions, expiry,
 * cascading revocation, the depth cap of the default policy, and signing-key rotation.
 */
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createApiToken, createUser, setUserDisabled } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const JWT = "urn:ietf:params:oauth:token-type:jwt";

let m: MandateHandle;
let support: string, ops: string, research: string;

async function form(path: string, fields: Record<string, string>, bearer?: string) {
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: r.status, body: await r.json() };
}
const grant = (subject: string, actor: string, extra: Record<string, string> = {}, type = AT) =>
  form("/api/v1/token", { grant_type: EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: actor, actor_token_type: AT, ...extra });
const hop = (parent: string, actor: string, extra: Record<string, string> = {}) => grant(parent, actor, extra, JWT);
const decide = (key: string, session: string, tool: string, token?: string, args: Record<string, unknown> = {}) => {
  const [server, name] = tool.split("/");
  return api(m.url, key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server, name },
    arguments: args,
    ...(token ? { delegation_token: token } : {}),
  });
};
const policies = (r: { body: any }) => r.body.reasons.map((x: { policy: string }) => x.policy);

beforeAll(async () => {
  m = await startMandate();
  [support, ops, research] = m.credentials!.agents.map((a) => a.api_key);
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("decisions under a delegation", () => {
  it("allows within scope, denies outside it, and records the verified chain", async () => {
    const t = await grant(m.adminToken, support, { scope: "tool:crm/* tool:web/fetch_url" });
    const sid = t.body.session_id;
    const ok = await decide(support, sid, "crm/get_customer", t.body.access_token, { customer_id: "c-1" });
    expect(ok.body.decision).toBe("allow");
    const out = await decide(support, sid, "files/read_file", t.body.access_token, { path: "a" });
    expect(out.body.decision).toBe("deny");
    expect(policies(out)).toEqual(["mandate.scope_exceeded"]);
    const row = await getPool().query("SELECT data FROM audit_entries WHERE decision_id = $1", [ok.body.decision_id]);
    expect(row.rows[0].data.delegation).toMatchObject({
      depth: 1,
      on_behalf_of: "admin@mandate.local",
      scopes: ["tool:crm/*", "tool:web/fetch_url"],
      chain: [{ name: "support-assistant" }],
    });
    const s = await getPool().query("SELECT initiator, initiator_verified FROM sessions WHERE id = $1", [sid]);
    expect(s.rows[0]).toEqual({ initiator: "admin@mandate.local", initiator_verified: true });
  });

  it("a sub-agent acts in the owner's session under a narrowed token", async () => {
    const t = await grant(m.adminToken, support, { scope: "tool:crm/* tool:web/*" });
    const sid = t.body.session_id;
    expect((await decide(support, sid, "crm/get_customer", t.body.access_token, { customer_id: "c-1" })).body.decision).toBe("allow");
    const child = await hop(t.body.access_token, research, { scope: "tool:web/fetch_url" });
    const r = await decide(research, sid, "web/fetch_url", child.body.access_token, { url: "https://example.com" });
    expect(r.body.decision).toBe("allow");
    expect(policies(await decide(research, sid, "crm/get_customer", child.body.access_token, { customer_id: "c-1" }))).toEqual(["mandate.scope_exceeded"]);
  });

  it("denies an agent presenting another agent's token, naming the identity claim", async () => {
    const t = await grant(m.adminToken, support, { scope: "tool:crm/*" });
    const r = await decide(ops, t.body.session_id, "crm/get_customer", t.body.access_token, { customer_id: "c-1" });
    expect(r.body.decision).toBe("deny");
    expect(policies(r)).toEqual(["mandate.delegation_invalid"]);
    expect(r.body.reasons[0].message).toContain("issued to agent support-assistant, but the request was authenticated as agent ops-agent");
    expect(r.body.reasons[0].message).toContain("cannot claim another agent's identity");
  });

  it("denies a token used in another session, a tampered token and garbage", async () => {
    const t = await grant(m.adminToken, support, { scope: "tool:crm/*" });
    const other = await decide(support, `other-${randomUUID()}`, "crm/get_customer", t.body.access_token, { customer_id: "c-1" });
    expect(other.body.reasons[0].message).toContain("was issued for session");
    const [h, p, s] = t.body.access_token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: "tool:*/*" })).toString("base64url");
    const tampered = await decide(support, t.body.session_id, "files/read_file", `${h}.${widened}.${s}`, { path: "a" });
    expect(tampered.body.reasons[0]).toMatchObject({ policy: "mandate.delegation_invalid", message: "delegation token signature is invalid" });
    const garbage = await decide(support, t.body.session_id, "crm/get_customer", "x".repeat(40));
    expect(garbage.body.reasons[0].policy).toBe("mandate.delegation_invalid");
  });
});

describe("expiry and revocation", () => {
  it("refuses an expired parent at the token endpoint and on the decision path", async () => {
    const t = await grant(m.adminToken, support, { scope: "tool:crm/*", expires_in: "1" });
    expect(t.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const child = await hop(t.body.access_token, research, {});
    expect(child.status).toBe(400);
    expect(child.body).toMatchObject({ error: "invalid_grant", error_description: "subject_token: delegation token expired" });
    const d = await decide(support, t.body.session_id, "crm/get_customer", t.body.access_token, { customer_id: "c-1" });
    expect(d.body.reasons[0]).toMatchObject({ policy: "mandate.delegation_invalid", message: "delegation token expired" });
  });

  it("revoking a parent revokes everything delegated from it (RFC 7009)", async () => {
    const a = await grant(m.adminToken, support, { scope: "tool:crm/* tool:web/*" });
    const b = await hop(a.body.access_token, research, { scope: "tool:web/*" });
    const c = await hop(b.body.access_token, ops, { scope: "tool:web/fetch_url" });
    const sid = a.body.session_id;
    expect((await decide(ops, sid, "web/fetch_url", c.body.access_token, { url: "https://x" })).body.decision).toBe("allow");

    expect((await form("/api/v1/token/revoke", { token: b.body.access_token }, research)).body).toEqual({ revoked: 2 });
    const stranger = await form("/api/v1/token/revoke", { token: a.body.access_token }, ops);
    expect(stranger.body.error).toBe("unauthorized_client");
    const unauth = await form("/api/v1/token/revoke", { token: a.body.access_token });
    expect(unauth.status).toBe(401);
    expect(unauth.body.error).toBe("invalid_client");
    const r = await form("/api/v1/token/revoke", { token: a.body.access_token }, support);
    expect(r).toEqual({ status: 200, body: { revoked: 1 } });
    expect(await form("/api/v1/token/revoke", { token: "not.a.token" }, support)).toEqual({ status: 200, body: { revoked: 0 } });
    await m.settle(200);

    const dc = await decide(ops, sid, "web/fetch_url", c.body.access_token, { url: "https://x" });
    expect(dc.body.reasons[0]).toMatchObject({ policy: "mandate.delegation_invalid", message: "delegation token was revoked" });
    expect((await decide(support, sid, "crm/get_customer", a.body.access_token, {})).body.reasons[0].message).toBe("delegation token was revoked");
    expect((await hop(b.body.access_token, support, {})).body.error).toBe("invalid_grant");
    const graph = await api(m.url, m.adminToken, "GET", `/api/v1/delegations/${jose.decodeJwt(a.body.access_token).jti}`);
    expect([graph.body.delegation, ...graph.body.descendants].map((d: any) => d.status)).toEqual(["revoked", "revoked", "revoked"]);
    const audit = await getPool().query("SELECT count(*)::int AS n FROM audit_entries WHERE action = 'delegation.revoke' AND session_id = $1", [sid]);
    expect(audit.rows[0].n).toBe(2);
  });

  it("an admin revokes by id; an ancestor's revocation covers a child created concurrently", async () => {
    const a = await grant(m.adminToken, support, { scope: "tool:web/*" });
    const [b] = await Promise.all([
      hop(a.body.access_token, research, {}),
      api(m.url, m.adminToken, "POST", `/api/v1/delegations/${jose.decodeJwt(a.body.access_token).jti}/revoke`, { reason: "test" }),
    ]);
    await m.settle(200);
    if (b.status === 200) {
      const d = await decide(research, a.body.session_id, "web/fetch_url", b.body.access_token, { url: "https://x" });
      expect(d.body.reasons[0].message).toMatch(/was revoked/);
      const stored = await getPool().query("SELECT revoked_at FROM delegations WHERE id = $1", [jose.decodeJwt(b.body.access_token).jti]);
      expect(stored.rows[0].revoked_at).not.toBeNull();
    } else expect(b.body.error).toBe("invalid_grant");
  });

  it("disabling the human stops every delegation made on their behalf", async () => {
    const u = await createUser(noNode(), { email: `grantor-${randomUUID().slice(0, 8)}@example.com`, role: "viewer" }, "test:setup");
    const pat = await createApiToken(noNode(), u.id, "grants", "test:setup", 1);
    const t = await grant(pat.secret, support, { scope: "tool:web/*" });
    const child = await hop(t.body.access_token, research, {});
    expect((await decide(research, t.body.session_id, "web/fetch_url", child.body.access_token, { url: "https://x" })).body.decision).toBe("allow");
    await setUserDisabled(noNode(), u.id, true, "test:setup");
    await m.settle(200);
    const d = await decide(research, t.body.session_id, "web/fetch_url", child.body.access_token, { url: "https://x" });
    expect(d.body.reasons[0].message).toBe(`user ${u.email}, on whose behalf the delegation acts, is disabled`);
    expect((await hop(t.body.access_token, ops, {})).body.error).toBe("invalid_grant");
  });
});

describe("policy and keys", () => {
  it("the default policy caps the delegation depth at 3", async () => {
    const t1 = await grant(m.adminToken, support, { scope: "tool:web/*" });
    const t2 = await hop(t1.body.access_token, research);
    const t3 = await hop(t2.body.access_token, ops);
    const t4 = await hop(t3.body.access_token, support);
    const sid = t1.body.session_id;
    expect((await decide(ops, sid, "web/fetch_url", t3.body.access_token, { url: "https://x" })).body.decision).toBe("allow");
    const deep = await decide(support, sid, "web/fetch_url", t4.body.access_token, { url: "https://x" });
    expect(deep.body.decision).toBe("deny");
    expect(policies(deep)).toEqual(["delegation-depth-cap"]);
  });

  it("rotates the signing key without invalidating unexpired tokens", async () => {
    const before = await grant(m.adminToken, support, { scope: "tool:crm/*" });
    const oldKid = jose.decodeProtectedHeader(before.body.access_token).kid;
    expect((await api(m.url, support, "POST", "/api/v1/signing-keys/rotate", {})).status).toBe(403);
    const rot = await api(m.url, m.adminToken, "POST", "/api/v1/signing-keys/rotate", {});
    expect(rot.status).toBe(201);
    expect(rot.body.retired).toContain(oldKid);
    await m.settle(200);
    const after = await grant(m.adminToken, support, { scope: "tool:crm/*" });
    expect(jose.decodeProtectedHeader(after.body.access_token).kid).toBe(rot.body.kid);
    const jwks = await (await fetch(`${m.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, rot.body.kid]));
    expect((await decide(support, before.body.session_id, "crm/get_customer", before.body.access_token, { customer_id: "c" })).body.decision).toBe("allow");
    expect((await decide(support, after.body.session_id, "crm/get_customer", after.body.access_token, { customer_id: "c" })).body.decision).toBe("allow");
  });
});
