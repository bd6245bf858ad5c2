/**
 * Workload identity federation against a real node and real issuers (test/support/jwt-issuer.ts, JWKS over
 * HTTP): trust rules (API, audit, problem+json), federated-only agents, the exchange at /api/v1/token (RFC
 * 8693 and RFC 7523) of Kubernetes-, SPIFFE- and GitHub-shaped tokens for a Mandate access token that the
 * decision API and the delegation chain accept, every refusal (401 with its reason, audited), a key rotation
 * at the issuer, the bounded JWKS refetch, renewal, and the removal of a trust rule revoking its tokens;
 * oidc-provider (a generic OpenID issuer, JWT access tokens by client credentials) as well.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import * as jose from "jose";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEntry, type StoredEntry } from "../../lib/audit/entries/index.ts";
import { getPool } from "../../lib/db/pool.ts";
import { IssuerKeys } from "../../lib/identity/federation/issuer-keys.ts";
import { api, closeTestDb, freePort, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";
import { startIssuer, type TestIssuer } from "../support/jwt-issuer.ts";

const EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const JWT = "urn:ietf:params:oauth:token-type:jwt";
const AT = "urn:ietf:params:oauth:token-type:access_token";
const AUD = "mandate-federation-test";
const AGENT = "support-assistant";
const SA = "system:serviceaccount:payments:refund-bot";

let m: MandateHandle;
let k8s: TestIssuer, spire: TestIssuer, stranger: TestIssuer;
let k8sRule: string;

async function token(fields: Record<string, string>) {
  const r = await fetch(`${m.url}/api/v1/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: r.status, body: await r.json() };
}
const exchange = (jwt: string, extra: Record<string, string> = {}) => token({ grant_type: EXCHANGE, subject_token: jwt, subject_token_type: JWT, ...extra });
const admin = (method: string, path: string, body?: unknown) => api(m.url, m.adminToken, method, path, body);
const decide = (key: string, session: string, extra: Record<string, unknown> = {}) =>
  api(m.url, key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server: "crm", name: "get_customer" },
    arguments: { customer_id: "c-1" },
    ...extra,
  });
async function refusals(): Promise<string[]> {
  const r = await getPool().query<{ reason: string }>(`SELECT data->>'reason' AS reason FROM audit_entries WHERE action = 'federation.refuse' ORDER BY seq`);
  return r.rows.map((x) => x.reason);
}
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [k8s, spire, stranger] = await Promise.all([startIssuer("RS256"), startIssuer("ES256"), startIssuer("ES256")]);
  m = await startMandate({ env: { MANDATE_FEDERATION_JWKS_COOLDOWN_S: "1" } });
}, 120_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
  await Promise.all([k8s, spire, stranger].map((i) => i?.close()));
});

describe("trust configuration", () => {
  it("adds, lists and refuses bad rules with problem+json; every change is audited", async () => {
    const bad = await admin("POST", `/api/v1/agents/${AGENT}/trust`, { issuer: k8s.url, claims: { sub: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.stringify(bad.body.errors)).toContain("subject");
    const notUrl = await admin("POST", `/api/v1/agents/${AGENT}/trust`, { issuer: "not-a-url", subject: SA });
    expect(notUrl.status).toBe(400);
    expect(JSON.stringify(notUrl.body.errors)).toContain("jwks_url");
    expect((await admin("POST", `/api/v1/agents/no-such-agent/trust`, { issuer: k8s.url, subject: SA })).status).toBe(404);

    const add = await admin("POST", `/api/v1/agents/${AGENT}/trust`, { issuer: k8s.url, subject: SA, audience: AUD });
    expect(add.status).toBe(201);
    k8sRule = add.body.id;
    expect((await admin("POST", `/api/v1/agents/${AGENT}/trust`, { issuer: k8s.url, subject: SA, audience: AUD })).status).toBe(409);
    // SPIFFE: keys at a configured JWKS URL; default audience (Mandate's URL). GitHub-shaped: claims must match.
    expect(
      (
        await admin("POST", `/api/v1/agents/${AGENT}/trust`, {
          issuer: spire.url,
          subject: "spiffe://acme.org/ns/payments/sa/refund-bot",
          jwks_url: spire.jwksUrl,
        })
      ).status,
    ).toBe(201);
    const gh = {
      issuer: k8s.url,
      subject: "repo:acme/agents:ref:refs/heads/main",
      audience: AUD,
      claims: { repository: "acme/agents", ref: "refs/heads/main" },
    };
    expect((await admin("POST", `/api/v1/agents/${AGENT}/trust`, gh)).status).toBe(201);

    const list = await admin("GET", `/api/v1/agents/${AGENT}/trust`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ agent: AGENT, federated_only: false });
    expect(list.body.rules.map((r: { subject: string }) => r.subject)).toEqual([SA, "spiffe://acme.org/ns/payments/sa/refund-bot", gh.subject]);
    const audit = await getPool().query(`SELECT actor, data FROM audit_entries WHERE action = 'agent.trust.add' ORDER BY seq`);
    expect(audit.rows).toHaveLength(3);
    expect(audit.rows[0].data).toMatchObject({ rule_id: k8sRule, name: AGENT, issuer: k8s.url, subject: SA, audience: AUD });
  });

  it("a federated-only agent gets no static key, and setting the flag revokes the keys it had", async () => {
    const created = await admin("POST", "/api/v1/agents", { name: "fed-only-bot", federated_only: true });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toBeNull();
    const made = await getPool().query(`SELECT data FROM audit_entries WHERE action = 'agent.create' AND data->>'name' = 'fed-only-bot'`);
    expect(made.rows[0].data).toMatchObject({ federated_only: true });
    const key = await admin("POST", "/api/v1/agents/fed-only-bot/keys", {});
    expect(key.status).toBe(409);
    expect(key.body.detail).toContain("federated-only");

    const other = await m.createAgent("soon-federated");
    expect((await api(m.url, other.apiKey, "GET", "/api/v1/agents/me")).status).toBe(200);
    const set = await admin("POST", "/api/v1/agents/soon-federated/federated-only", { federated_only: true });
    expect(set.status).toBe(200);
    expect(set.body.revoked_keys).toHaveLength(1);
    expect((await api(m.url, other.apiKey, "GET", "/api/v1/agents/me")).status).toBe(401);
    expect((await admin("POST", "/api/v1/agents/soon-federated/keys", {})).status).toBe(409);
  });
});

describe("exchange", () => {
  it("exchanges a Kubernetes service-account token (RFC 8693) for an access token the decision API accepts", async () => {
    const r = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD, { exp: now() + 3600 }));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ issued_token_type: AT, token_type: "Bearer", agent: AGENT });
    expect(r.body.access_token).toMatch(/^mnd_at_/);
    // At most 15 minutes, and never beyond the platform token's own expiry.
    expect(r.body.expires_in).toBeGreaterThan(800);
    expect(r.body.expires_in).toBeLessThanOrEqual(900);
    const short = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD, { exp: now() + 120 }));
    expect(short.body.expires_in).toBeLessThanOrEqual(120);
    // A platform token valid for a week: its access tokens may be renewed for 24 hours at most.
    const week = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD, { exp: now() + 7 * 86_400 }));
    const stored = await getPool().query<{ until: Date }>(`SELECT source_expires_at AS until FROM agent_access_tokens WHERE key_id = $1`, [
      week.body.access_token.slice(0, 15),
    ]);
    expect(stored.rows[0].until.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(stored.rows[0].until.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    const me = await api(m.url, r.body.access_token, "GET", "/api/v1/agents/me");
    expect(me.status).toBe(200);
    expect(me.body.name).toBe(AGENT);
    const d = await decide(r.body.access_token, "fed-k8s-1");
    expect(d.status).toBe(200);
    expect(d.body.decision ?? d.body.outcome).toBe("allow");
    const audit = await getPool().query(`SELECT actor, data FROM audit_entries WHERE action = 'federation.exchange' ORDER BY seq`);
    expect(audit.rows.at(-1)).toMatchObject({ actor: `federation:${k8s.url}`, data: { name: AGENT, subject: SA, rule_id: k8sRule } });
  });

  it("exchanges a SPIFFE JWT-SVID with the RFC 7523 jwt-bearer grant (keys from the configured JWKS URL)", async () => {
    const r = await token({ grant_type: JWT_BEARER, assertion: await spire.spiffe("spiffe://acme.org/ns/payments/sa/refund-bot", m.url) });
    expect(r.status).toBe(200);
    expect((await decide(r.body.access_token, "fed-spiffe-1")).status).toBe(200);
  });

  it("exchanges a JWT access token from oidc-provider (a generic OpenID issuer, client credentials)", async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: "workload", client_secret: "workload-secret", grant_types: ["client_credentials"], response_types: [], redirect_uris: [] }],
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => "https://mandate-federation.test",
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({ scope: "", audience: "https://mandate-federation.test", accessTokenFormat: "jwt" }),
        },
      },
    } as never);
    const idp = provider.listen(port);
    const resource = "https://mandate-federation.test"; // a resource indicator is an absolute URI
    try {
      const rule = { issuer, subject: "workload", audience: resource, claims: { client_id: "workload" } };
      expect((await admin("POST", "/api/v1/agents/ops-agent/trust", rule)).status).toBe(201);
      const got = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from("workload:workload-secret").toString("base64")}` },
        body: new URLSearchParams({ grant_type: "client_credentials", resource }).toString(),
      });
      expect(got.status).toBe(200);
      const { access_token: platform } = (await got.json()) as { access_token: string };
      const r = await exchange(platform);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.agent).toBe("ops-agent");
      expect((await api(m.url, r.body.access_token, "GET", "/api/v1/agents/me")).body.name).toBe("ops-agent");
    } finally {
      idp.close();
    }
  });

  it("checks required claims (a GitHub Actions-shaped token)", async () => {
    const sub = "repo:acme/agents:ref:refs/heads/main";
    const ok = await exchange(await k8s.sign({ repository: "acme/agents", ref: "refs/heads/main" }, { sub, aud: AUD }));
    expect(ok.status).toBe(200);
    const wrong = await exchange(await k8s.sign({ repository: "acme/agents", ref: "refs/heads/evil" }, { sub, aud: AUD }));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_description).toContain("claim ref must be");
  });

  it("refuses a wrong audience, an expired token, a replayed jti, an untrusted issuer and a subject mismatch: 401 with the reason, audited", async () => {
    const cases: Array<[string, Promise<string>, string]> = [
      ["wrong audience", k8s.kubernetes("payments", "refund-bot", "https://kubernetes.default.svc"), "wrong audience"],
      ["expired", k8s.kubernetes("payments", "refund-bot", AUD, { exp: now() - 60 }), "has expired"],
      ["untrusted issuer", stranger.kubernetes("payments", "refund-bot", AUD), `issuer ${stranger.url} is not trusted`],
      ["subject mismatch", k8s.kubernetes("payments", "other-bot", AUD), "subject system:serviceaccount:payments:other-bot is not trusted"],
      ["not yet valid", k8s.sign({}, { sub: SA, aud: AUD, nbf: now() + 120 }), "not valid yet"],
      ["no issuer", new jose.UnsecuredJWT({ sub: SA, aud: AUD }).setExpirationTime("5m").encode() as unknown as Promise<string>, "has no iss"],
    ];
    for (const [what, jwt, reason] of cases) {
      const r = await exchange(await jwt);
      expect(r.status, what).toBe(401);
      expect(r.body.error, what).toBe("invalid_grant");
      expect(r.body.error_description, what).toContain(reason);
      expect((await refusals()).at(-1), what).toContain(reason);
    }
    const once = await k8s.kubernetes("payments", "refund-bot", AUD);
    expect((await exchange(once)).status).toBe(200);
    const replay = await token({ grant_type: JWT_BEARER, assertion: once });
    expect(replay.status).toBe(401);
    expect(replay.body.error_description).toContain(`replayed: the platform token with jti ${jose.decodeJwt(once).jti as string}`);
    expect((await refusals()).at(-1)).toContain("replayed");
    // A forged signature (another key, the issuer's kid) is refused too.
    const forged = await new jose.SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: k8s.kid })
      .setIssuer(k8s.url)
      .setSubject(SA)
      .setAudience(AUD)
      .setExpirationTime("5m")
      .sign((await jose.generateKeyPair("RS256")).privateKey);
    const f = await exchange(forged);
    expect(f.status).toBe(401);
    expect(f.body.error_description).toContain("signature is invalid");
    // Another audience for the Mandate token itself: invalid_target, not a refusal of the identity.
    expect((await exchange(await k8s.kubernetes("payments", "refund-bot", AUD), { audience: "https://elsewhere" })).status).toBe(400);
  });

  it("follows a key rotation at the issuer (a kid it does not know: the JWKS is fetched again)", async () => {
    expect((await exchange(await k8s.kubernetes("payments", "refund-bot", AUD))).status).toBe(200);
    const before = k8s.jwksFetches;
    await k8s.rotate();
    // The refetch bound is 1 s on this node (MANDATE_FEDERATION_JWKS_COOLDOWN_S): let it pass since the last fetch.
    await new Promise((r) => setTimeout(r, Math.max(0, k8s.lastJwksFetchAt + 1100 - Date.now())));
    const r = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD));
    expect(r.status).toBe(200);
    expect(k8s.jwksFetches).toBe(before + 1);
    expect((await decide(r.body.access_token, "fed-rotated")).status).toBe(200);
  });

  it("fetches an issuer's keys again at most once per cooldown however many unknown kids arrive", async () => {
    const keys = new IssuerKeys(60_000);
    const set = await keys.keySet(spire.url, null); // through discovery
    const good = await spire.spiffe("spiffe://acme.org/x", "aud");
    await jose.jwtVerify(good, set);
    const fetched = spire.jwksFetches;
    for (let i = 0; i < 5; i++) {
      const unknownKid = await spire.sign({}, { sub: "spiffe://acme.org/x", aud: "aud", kid: `unknown-${i}` });
      await expect(jose.jwtVerify(unknownKid, set)).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey);
    }
    expect(spire.jwksFetches - fetched).toBeLessThanOrEqual(1);
  });
});

describe("on two nodes", () => {
  it("a jti exchanged on one node is refused on another; an access token from one node works on the other", async () => {
    const masterKey = readFileSync(join(m.dataDir, "master.key"), "utf8").trim();
    const b = await startMandate({ databaseUrl: m.databaseUrl, env: { MANDATE_MASTER_KEY: masterKey, MANDATE_FEDERATION_JWKS_COOLDOWN_S: "1" } });
    try {
      const jwt = await k8s.kubernetes("payments", "refund-bot", AUD);
      const onA = await exchange(jwt);
      expect(onA.status).toBe(200);
      const onB = await fetch(`${b.url}/api/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: jwt }).toString(),
      });
      expect(onB.status).toBe(401);
      expect(((await onB.json()) as { error_description: string }).error_description).toContain("replayed");
      const me = await api(b.url, onA.body.access_token, "GET", "/api/v1/agents/me");
      expect(me.status).toBe(200);
      expect(me.body.name).toBe(AGENT);
    } finally {
      await b.stop();
    }
  }, 120_000);
});

describe("with the access token", () => {
  it("renews it while the platform token is valid, carries a delegation chain, and is revoked with its trust rule", async () => {
    const first = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD));
    const renewed = await token({ grant_type: EXCHANGE, subject_token: first.body.access_token, subject_token_type: AT });
    expect(renewed.status).toBe(200);
    expect(renewed.body.access_token).not.toBe(first.body.access_token);
    const renewAudit = await getPool().query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'federation.renew'`);
    expect(renewAudit.rows[0].n).toBe(1);

    // A human delegates to the federated agent (actor_token: its access token); the decision sees the chain.
    const d = await token({
      grant_type: EXCHANGE,
      subject_token: m.adminToken,
      subject_token_type: AT,
      actor_token: renewed.body.access_token,
      actor_token_type: AT,
      scope: "tool:crm/*",
    });
    expect(d.status).toBe(200);
    const delegated = await decide(renewed.body.access_token, d.body.session_id, { delegation_token: d.body.access_token });
    expect(delegated.status).toBe(200);
    expect(delegated.body.decision ?? delegated.body.outcome).toBe("allow");

    // Removing the trust rule revokes the tokens it admitted, at once.
    const removed = await admin("DELETE", `/api/v1/agents/${AGENT}/trust/${k8sRule}`);
    expect(removed.status).toBe(200);
    expect(removed.body.tokens_revoked).toBeGreaterThanOrEqual(2);
    expect((await api(m.url, renewed.body.access_token, "GET", "/api/v1/agents/me")).status).toBe(401);
    const again = await exchange(await k8s.kubernetes("payments", "refund-bot", AUD));
    expect(again.status).toBe(401);
    expect((await admin("DELETE", `/api/v1/agents/${AGENT}/trust/${k8sRule}`)).status).toBe(404);
    const audit = await getPool().query(`SELECT count(*)::int AS n FROM audit_entries WHERE action = 'agent.trust.remove'`);
    expect(audit.rows[0].n).toBe(1);
  });
});

describe("the CLI", () => {
  it("mandate agents trust add | list | remove", async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), ...args], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
      }).then((r) => r.stdout);
    const added = await cli(
      "agents",
      "trust",
      "add",
      "ops-agent",
      "--issuer",
      spire.url,
      "--subject",
      "spiffe://acme.org/ops",
      "--claim",
      "env=prod",
      "--audience",
      AUD,
    );
    const id = /Trust rule ([0-9a-f-]{36})/.exec(added)![1];
    const listed = await cli("agents", "trust", "list", "ops-agent");
    expect(listed).toContain(`${id}  ${spire.url}  spiffe://acme.org/ops  aud=${AUD} env=prod`);
    expect(await cli("agents", "trust", "remove", "ops-agent", id)).toContain(`Removed trust rule ${id}`);
    const audit = await getPool().query(`SELECT actor FROM audit_entries WHERE action LIKE 'agent.trust.%' AND data->>'rule_id' = $1`, [id]);
    expect(audit.rows.map((r) => r.actor as string)).toEqual([expect.stringMatching(/^cli:/), expect.stringMatching(/^cli:/)]);
  }, 120_000);
});

describe("the audit log", () => {
  it("every entry written here matches its kind and action's schema (docs/audit-format.md)", async () => {
    const r = await getPool().query<StoredEntry & { chain_id: string; seq: string }>(
      "SELECT chain_id, seq, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id::text, data FROM audit_entries ORDER BY created_at, chain_id, seq",
    );
    const bad = r.rows.map((e) => ({ at: `${e.chain_id}:${e.seq} ${e.action}`, check: checkEntry(e) })).filter((x) => !x.check.ok);
    expect(bad).toEqual([]);
    const actions = new Set(r.rows.map((e) => e.action));
    for (const a of ["agent.trust.add", "agent.trust.remove", "agent.federated_only", "federation.exchange", "federation.renew", "federation.refuse"])
      expect(actions, a).toContain(a);
  });
});
