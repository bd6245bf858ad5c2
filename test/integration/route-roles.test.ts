/**
 * Every data-plane route (allRoutes()) and console page and route handler (the build's route manifest)
 * against anonymous, an agent key and each role, compared with the table in e2e/support/role-matrix.ts.
 * Anything not in the table fails, and so does any server action in the build (the server-reference
 * manifest): the console changes things only through the data-plane routes.
 * Needs the console build (`npx next build`; built here unless MANDATE_E2E_SKIP_BUILD=1).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRoutes } from "../../lib/http/routes/index.ts";
import { createApiToken, createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { consoleLogin } from "../../e2e/support/console-login.ts";
import { API, API_BODIES, PAGE_PATHS, PAGES, PARAMS, type Expect, type Principal } from "../../e2e/support/role-matrix.ts";
import { closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const token: Partial<Record<Principal, string>> = {};
const cookie: Partial<Record<Principal, string>> = {};
const PRINCIPALS: Principal[] = ["anon", "agent", "admin", "analyst", "viewer"];

beforeAll(async () => {
  globalSetup();
  m = await startMandate({ console: true });
  token.agent = m.credentials!.agents[0].api_key;
  for (const role of ["admin", "analyst", "viewer"] as const) {
    const password = `pw-${role}-route-roles-1`;
    const u = await createUser(noNode(), { email: `${role}@route-roles.test`, role, password }, "test:setup");
    token[role] = (await createApiToken(noNode(), u.id, "route-roles", "test:setup", 1)).secret;
    cookie[role] = (await consoleLogin(m.url, u.email, password)).header;
  }
}, 240_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

function check(got: { status: number; location: string | null }, want: Expect): boolean {
  const login = got.status >= 300 && got.status < 400 && (got.location ?? "").includes("/login");
  if (want === "login") return login;
  if (want === "ok") return got.status >= 200 && got.status < 300 && !login;
  if (want === "pass") return got.status !== 401 && got.status !== 403 && !login && got.status < 500;
  return got.status === want;
}

const fill = (route: string) => route.replace(/\[([^\]]+)\]/g, (_, k: string) => PARAMS[k] ?? "x").replace(/:([A-Za-z]+)/g, (_, k: string) => PARAMS[k] ?? "x");

describe("data-plane routes × principals", () => {
  const routes = allRoutes().map((r) => ({ key: `${r.method} ${r.path}`, def: r }));
  it("every route is in the role table (and the table has no stale rows)", () => {
    expect(
      routes.map((r) => r.key).filter((k) => !(k in API)),
      "routes missing from e2e/support/role-matrix.ts API",
    ).toEqual([]);
    expect(
      Object.keys(API).filter((k) => !routes.some((r) => r.key === k)),
      "table rows without a route",
    ).toEqual([]);
  });
  it("answers each principal as the table says, users by personal API token and by console session", async () => {
    const failures: string[] = [];
    for (const { key, def } of routes) {
      const row = API[key];
      if (!row) continue;
      for (const p of PRINCIPALS) {
        const body = def.body ? (def.contentType === "form" ? "" : JSON.stringify(API_BODIES[key] ?? {})) : undefined;
        const headers: Record<string, string> =
          body !== undefined ? { "content-type": def.contentType === "form" ? "application/x-www-form-urlencoded" : "application/json" } : {};
        const vias: Array<Record<string, string>> =
          p === "anon"
            ? [{}]
            : p === "agent"
              ? [{ authorization: `Bearer ${token.agent}` }]
              : [{ authorization: `Bearer ${token[p]}` }, { cookie: cookie[p]!, origin: m.url }];
        for (const via of vias) {
          const r = await fetch(m.url + fill(def.path), { method: def.method, headers: { ...headers, ...via }, body, redirect: "manual" });
          await r.arrayBuffer();
          // Agent routes read only a Bearer agent key: a console session there is no credential at all (401).
          const want = via.cookie && def.auth === "agent" ? 401 : row[p];
          if (!check({ status: r.status, location: r.headers.get("location") }, want))
            failures.push(`${key} as ${p}${via.cookie ? " (session)" : ""}: got ${r.status}, want ${want}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
  // server/console-session.ts parses the Cookie header for next-auth's getToken(), so the browser can call the
  // data plane with its console session (the console's operator controls and approvals rely on it).
  it("user routes also accept a console session", async () => {
    const r = await fetch(`${m.url}/api/v1/approvals`, { headers: { cookie: cookie.viewer! } });
    expect(r.status).toBe(200);
  });
});

describe("console pages and route handlers × principals", () => {
  const manifest: Record<string, string> = JSON.parse(readFileSync(join(ROOT, ".next", "app-path-routes-manifest.json"), "utf8"));
  const routes = [...new Set(Object.values(manifest))];
  it("every page and route handler is in the role table", () => {
    expect(
      routes.filter((r) => !(r in PAGES)),
      "pages missing from e2e/support/role-matrix.ts PAGES",
    ).toEqual([]);
    expect(
      Object.keys(PAGES).filter((k) => !routes.includes(k)),
      "table rows without a page",
    ).toEqual([]);
  });
  it("redirects anonymous users to sign in, answers 403 to roles without access", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const row = PAGES[route];
      if (!row) continue;
      const path = PAGE_PATHS[route] ?? fill(route);
      for (const p of PRINCIPALS) {
        const headers: Record<string, string> = p === "agent" ? { authorization: `Bearer ${token.agent}` } : p === "anon" ? {} : { cookie: cookie[p]! };
        const r = await fetch(m.url + path, { headers, redirect: "manual" });
        await r.arrayBuffer();
        if (!check({ status: r.status, location: r.headers.get("location") }, row[p]))
          failures.push(`${path} as ${p}: got ${r.status} ${r.headers.get("location") ?? ""}, want ${row[p]}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("console route handlers answer errors as RFC 9457 problems", () => {
  it("401 without a console session, 400 for a bad parameter: application/problem+json with type, status, instance", async () => {
    const cases: Array<[string, Principal, number, RegExp]> = [
      ["/api/console/approvals", "anon", 401, /sign in/],
      ["/api/console/approvals/count", "anon", 401, /sign in/],
      ["/api/console/approvals?watch=not-an-id", "analyst", 400, /watch\.\d+: a comma-separated list of approval ids/],
      ["/api/console/audit/export?format=csv", "agent", 401, /sign in/],
      ["/api/console/sessions/role-matrix/steps", "anon", 401, /sign in/],
      ["/api/console/audit/export?format=pdf", "viewer", 400, /format must be csv or jsonl/],
      ["/api/console/sessions/role-matrix/steps?agent=not-an-id", "analyst", 400, /agent must be an agent id/],
      ["/api/console/sessions/role-matrix/steps?show=everything", "viewer", 400, /show must be one of deny, approval, labels, delegation/],
    ];
    for (const [path, p, status, detail] of cases) {
      const headers: Record<string, string> =
        p === "agent" ? { authorization: `Bearer ${token.agent}` } : p === "anon" ? {} : { cookie: cookie[p]!, "x-request-id": "rr-1" };
      const r = await fetch(m.url + path, { headers });
      expect(r.status, path).toBe(status);
      expect(r.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
      const problem = await r.json();
      expect(problem, path).toMatchObject({
        type: expect.stringMatching(/^https:\/\/mandate\.dev\/problems\//),
        status,
        instance: path.split("?")[0],
        detail: expect.stringMatching(detail),
      });
      if (headers["x-request-id"]) expect(problem.request_id).toBe("rr-1");
    }
  });
});

// The console's one mutation path is the /api/v1 route table above (docs/api.md): a server action would be
// a second one, with its own role checks outside the table.
describe("server actions", () => {
  it("the console build has none", () => {
    const file = join(ROOT, ".next", "server", "server-reference-manifest.json");
    const manifest = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
    const actions = Object.values<{ filename: string; exportedName: string }>({ ...manifest.node, ...manifest.edge }).map(
      (e) => `${e.filename}#${e.exportedName}`,
    );
    expect(actions, "server actions in the build: make the change an /api/v1 route instead").toEqual([]);
  });
});
