/**
 * The node's front door on a real node with the console: security headers on pages and on data-plane
 * answers (JSON, problem, 404, 405), the per-request script nonce of the console's CSP, the same-origin
 * rule of cookie-authenticated changes (CSRF) on the data plane (where the console's changes go) and
 * on the console's own paths (next-auth), and 400 for request paths that do not decode. Needs the
 * console build (built here unless MANDATE_E2E_SKIP_BUILD=1).
 */
import { request } from "node:http";
import { connect } from "node:net";
import * as jose from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { consoleLogin } from "../../e2e/support/console-login.ts";
import { api, closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let cookie: string;
let agentKey: string;
let otherPort: string;

beforeAll(async () => {
  globalSetup();
  m = await startMandate({ console: true });
  agentKey = m.credentials!.agents[0].api_key;
  const password = "pw-web-security-1";
  await createUser(noNode(), { email: "admin@web-security.test", role: "admin", password }, "test:setup");
  cookie = (await consoleLogin(m.url, "admin@web-security.test", password)).header;
  otherPort = `http://127.0.0.1:${await freePort()}`;
}, 240_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** node:http, so that every header (Host, Origin, Sec-Fetch-Site) is exactly what the test sets. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(m.url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function expectCommonHeaders(a: Answer, what: string) {
  expect(a.headers["x-content-type-options"], what).toBe("nosniff");
  expect(a.headers["x-frame-options"], what).toBe("DENY");
  expect(a.headers["referrer-policy"], what).toBe("same-origin");
  expect(a.headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
}

describe("security headers", () => {
  it("every console page: a CSP with a fresh script nonce that Next.js put on every script, and no framing", async () => {
    const nonces = new Set<string>();
    for (const [path, headers] of [
      ["/login", {}],
      ["/tools", { cookie }],
      ["/sessions", { cookie }],
      ["/no-such-page", { cookie }],
      ["/no-such-page", {}],
    ] as const) {
      const a = await raw("GET", path, headers);
      expect(a.status, path).toBe(path === "/no-such-page" ? 404 : 200);
      expectCommonHeaders(a, path);
      const csp = directives(String(a.headers["content-security-policy"]));
      expect(csp.get("object-src"), path).toEqual(["'none'"]);
      expect(csp.get("base-uri"), path).toEqual(["'self'"]);
      expect(csp.get("form-action"), path).toEqual(["'self'"]);
      expect(csp.get("connect-src"), path).toEqual(["'self'"]);
      expect(csp.get("img-src"), path).toEqual(["'self'", "data:"]);
      const script = csp.get("script-src")!;
      expect(script, path).not.toContain("'unsafe-inline'");
      expect(script, path).not.toContain("'unsafe-eval'");
      const nonce = /^'nonce-([A-Za-z0-9+/]+={0,2})'$/.exec(script.find((s) => s.startsWith("'nonce-")) ?? "")?.[1];
      expect(nonce, path).toBeTruthy();
      nonces.add(nonce!);
      const scripts = a.text.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, path).toBeGreaterThan(0);
      expect(
        scripts.filter((s) => !s.includes(`nonce="${nonce}"`)),
        `${path}: scripts without the nonce`,
      ).toEqual([]);
    }
    expect(nonces.size).toBe(5);
  });

  it("a client's own CSP or nonce request header does not choose the nonce", async () => {
    const a = await raw("GET", "/login", { "content-security-policy": "script-src 'nonce-attacker'", "x-nonce": "attacker" });
    expect(a.text).not.toContain("attacker");
    expect(String(a.headers["content-security-policy"])).not.toContain("attacker");
  });

  it("data-plane answers: JSON, problem, 404, 405 and 400 carry the same headers and a CSP that allows nothing", async () => {
    const answers: Array<[string, Answer, number]> = [
      ["health (JSON)", await raw("GET", "/api/v1/health"), 200],
      ["approvals (JSON, token)", await raw("GET", "/api/v1/approvals", { authorization: `Bearer ${m.adminToken}` }), 200],
      ["401 problem", await raw("GET", "/api/v1/approvals"), 401],
      ["404 problem", await raw("GET", "/api/v1/approvals/00000000-0000-0000-0000-000000000000", { authorization: `Bearer ${m.adminToken}` }), 404],
      ["405 problem", await raw("DELETE", "/api/v1/decisions"), 405],
      ["400 problem", await raw("POST", "/api/v1/decisions", { authorization: `Bearer ${agentKey}`, "content-type": "application/json" }, "{"), 400],
      ["openapi", await raw("GET", "/api/openapi.json"), 200],
    ];
    for (const [what, a, status] of answers) {
      expect(a.status, what).toBe(status);
      expectCommonHeaders(a, what);
      expect(a.headers["content-security-policy"], what).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe("CSRF: cookie-authenticated changes come from the console's own origin", () => {
  const FORM = { "content-type": "application/x-www-form-urlencoded" };
  async function delegationToken(): Promise<{ token: string; jti: string }> {
    const r = await fetch(`${m.url}/api/v1/token`, {
      method: "POST",
      headers: FORM,
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: m.adminToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:access_token",
        actor_token: agentKey,
        actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
        scope: "tool:crm/*",
      }),
    });
    expect(r.status).toBe(200);
    const token = ((await r.json()) as { access_token: string }).access_token;
    return { token, jti: String(jose.decodeJwt(token).jti) };
  }
  const revokedAt = async (jti: string) => (await getPool().query("SELECT revoked_at FROM delegations WHERE id = $1", [jti])).rows[0].revoked_at;
  const revoke = (token: string, headers: Record<string, string>) =>
    raw("POST", "/api/v1/token/revoke", { ...FORM, ...headers }, new URLSearchParams({ token }).toString());

  it("a form POST to /api/v1/token/revoke with the console cookie from another origin is refused, and nothing is revoked", async () => {
    const { token, jti } = await delegationToken();
    const attempts: Array<[string, Record<string, string>]> = [
      ["a page on another port (what the browser sends)", { cookie, origin: otherPort, "sec-fetch-site": "same-site" }],
      ["another origin, Origin only", { cookie, origin: otherPort }],
      ["another site", { cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
      ["an opaque origin", { cookie, origin: "null" }],
      ["no Origin, no Sec-Fetch-Site", { cookie }],
      ["the right Origin but the browser says same-site", { cookie, origin: m.url, "sec-fetch-site": "same-site" }],
      ["another scheme", { cookie, origin: m.url.replace("http:", "https:") }],
    ];
    for (const [what, headers] of attempts) {
      const a = await revoke(token, headers);
      expect(a.status, what).toBe(403);
      expect(JSON.parse(a.text).error_description, what).toContain("console's own origin");
      expectCommonHeaders(a, what);
    }
    expect(await revokedAt(jti)).toBeNull();
  });

  it("the same request from the console's origin revokes (Origin, or Sec-Fetch-Site: same-origin)", async () => {
    const a = await delegationToken();
    expect(await revoke(a.token, { cookie, origin: m.url })).toMatchObject({ status: 200, text: JSON.stringify({ revoked: 1 }) });
    expect(await revokedAt(a.jti)).not.toBeNull();
    const b = await delegationToken();
    expect(await revoke(b.token, { cookie, "sec-fetch-site": "same-origin" })).toMatchObject({ status: 200, text: JSON.stringify({ revoked: 1 }) });
    expect(await revokedAt(b.jti)).not.toBeNull();
    // The node reached under another name (its Host header), with the public URL's scheme.
    const c = await delegationToken();
    const port = new URL(m.url).port;
    expect((await revoke(c.token, { cookie, host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await revoke((await delegationToken()).token, { cookie, host: `localhost:${port}`, origin: `http://localhost:${Number(port) + 1}` })).status).toBe(
      403,
    );
  });

  it("bearer requests are not cookie-authenticated: no Origin needed, any Origin accepted", async () => {
    const a = await delegationToken();
    expect((await revoke(a.token, { authorization: `Bearer ${m.adminToken}`, origin: "https://evil.example", "sec-fetch-site": "cross-site" })).status).toBe(
      200,
    );
    expect(await revokedAt(a.jti)).not.toBeNull();
    // A bearer token with the cookie also present: the token authenticates, the cookie is not used.
    const b = await delegationToken();
    expect((await revoke(b.token, { authorization: `Bearer ${m.adminToken}`, cookie, origin: otherPort })).status).toBe(200);
  });

  it("reads with the cookie are not refused (GET changes nothing; CORS keeps the answer from the other page)", async () => {
    expect((await raw("GET", "/api/v1/approvals", { cookie, origin: otherPort, "sec-fetch-site": "same-site" })).status).toBe(200);
  });

  it("other cookie-authenticated data-plane changes too: terminating a session", async () => {
    const sid = `csrf-${Date.now()}`;
    const d = await api(m.url, agentKey, "POST", "/api/v1/decisions", {
      session: { id: sid },
      tool: { server: "crm", name: "get_customer" },
      arguments: { customer_id: "c-1" },
    });
    expect(d.status).toBe(200);
    const body = JSON.stringify({ reason: "csrf" });
    const json = { "content-type": "application/json" };
    expect((await raw("POST", `/api/v1/sessions/${sid}/terminate`, { ...json, cookie, origin: otherPort }, body)).status).toBe(403);
    expect((await getPool().query("SELECT status FROM sessions WHERE id = $1", [sid])).rows[0].status).toBe("active");
    expect((await raw("POST", `/api/v1/sessions/${sid}/terminate`, { ...json, cookie, origin: m.url }, body)).status).toBe(200);
    expect((await getPool().query("SELECT status FROM sessions WHERE id = $1", [sid])).rows[0].status).toBe("terminated");
  });

  it("the console's own changes (/api/v1 with the cookie: a personal token) and next-auth's sign-out from another origin: 403, nothing created", async () => {
    const call = (headers: Record<string, string>, name: string) =>
      raw("POST", "/api/v1/account/tokens", { "content-type": "application/json", cookie, ...headers }, JSON.stringify({ name, expires_in_days: 1 }));
    const tokens = async (name: string) => (await getPool().query("SELECT count(*)::int AS n FROM api_tokens WHERE name = $1", [name])).rows[0].n;
    const refused = await call({ origin: otherPort, "sec-fetch-site": "same-site" }, "csrf-cross");
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).type).toBe("https://mandate.dev/problems/cross_origin");
    expect((await call({}, "csrf-none")).status).toBe(403);
    expect(await tokens("csrf-cross")).toBe(0);
    expect(await tokens("csrf-none")).toBe(0);
    const ok = await call({ origin: m.url }, "csrf-same");
    expect(ok.status).toBe(201);
    expect(await tokens("csrf-same")).toBe(1);

    const signout = await raw("POST", "/api/auth/signout", { ...FORM, cookie, origin: otherPort }, "");
    expect(signout.status).toBe(403);
  });

  it("a personal token is made with the console session, never with another token (403, nothing created)", async () => {
    const r = await raw(
      "POST",
      "/api/v1/account/tokens",
      { "content-type": "application/json", authorization: `Bearer ${m.adminToken}` },
      JSON.stringify({ name: "minted-by-token", expires_in_days: 1 }),
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text).detail).toContain("console session");
    expect((await getPool().query("SELECT count(*)::int AS n FROM api_tokens WHERE name = 'minted-by-token'")).rows[0].n).toBe(0);
  });

  it("without the cookie, a change to a console path that a browser marks as coming from another origin is refused too (Next.js answered 500 to a server action)", async () => {
    const anon = await raw("POST", "/account", { origin: otherPort, "sec-fetch-site": "same-site", "content-type": "text/plain;charset=UTF-8" }, "x");
    expect(anon.status).toBe(403);
    // A sign-in posted from another origin (login CSRF): refused before next-auth.
    const login = await raw(
      "POST",
      "/api/auth/callback/credentials",
      { ...FORM, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      "email=a%40b.c&password=x&csrfToken=x",
    );
    expect(login.status).toBe(403);
    // Scripts that send neither header (the tests' own sign-in helper) still sign in: consoleLogin in beforeAll.
  });
});

describe("malformed request paths", () => {
  const PATHS: Array<[string, string]> = [
    ["GET", "/sessions/%E0%A4%A"],
    ["GET", "/sessions/%E0%A4%A/graph"],
    ["GET", "/tools/%FF/x"],
    ["GET", "/tools/crm/%zz"],
    ["GET", "/agents/%"],
    ["GET", "/approvals/%E0%A4%A"],
    ["GET", "/policies/versions/%C0%AF"],
    ["GET", "/api/console/sessions/%E0%A4%A/steps"],
    ["GET", "/api/auth/%E0%A4%A"],
    ["GET", "/_next/static/%E0"],
    ["GET", "/api/v1/approvals/%E0%A4%A"],
    ["POST", "/api/v1/sessions/%E0%A4%A/terminate"],
    ["GET", "/api/v1/delegations/%ED%A0%80"],
    ["POST", "/api/v1/agents/%FF/suspend"],
  ];
  it("answers 400 problem+json to anonymous and signed-in requests, never 500", async () => {
    const failures: string[] = [];
    for (const [method, path] of PATHS) {
      for (const [who, headers] of [
        ["anonymous", {}],
        ["signed in", { cookie, origin: m.url }],
        ["token", { authorization: `Bearer ${m.adminToken}` }],
      ] as const) {
        const a = await raw(
          method,
          path,
          { ...headers, ...(method === "POST" ? { "content-type": "application/json" } : {}) },
          method === "POST" ? "{}" : undefined,
        );
        const problem = a.headers["content-type"] === "application/problem+json; charset=utf-8" ? JSON.parse(a.text) : null;
        if (a.status !== 400 || problem?.type !== "https://mandate.dev/problems/malformed_path")
          failures.push(`${method} ${path} (${who}): ${a.status} ${a.text.slice(0, 80)}`);
        else expectCommonHeaders(a, path);
      }
    }
    expect(failures).toEqual([]);
  });

  it("well-formed escapes still reach their route", async () => {
    const approval = await raw("GET", "/api/v1/approvals/%61bc", { authorization: `Bearer ${m.adminToken}` });
    expect(approval.status).toBeLessThan(500);
    expect(approval.text).not.toContain("malformed_path");
    const page = await raw("GET", "/sessions/%E0%A4%A4", { cookie });
    expect([200, 404]).toContain(page.status);
  });

  it("a request target that is not a URL gets 400 and the node keeps serving", async () => {
    const u = new URL(m.url);
    const first = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(u.port), u.hostname, () => s.write("GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      let got = "";
      s.on("data", (d) => (got += String(d)));
      s.on("close", () => resolve(got));
      s.on("error", reject);
    });
    expect(first.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    expect(first).toContain("malformed_path");
    expect((await raw("GET", "/api/v1/health")).status).toBe(200);
  });
});
