/**
 * Single sign-on against a real OpenID provider (the `oidc-provider` package, started here): the
 * console's OIDC login, the mapping of the IdP's groups to a Mandate role (OIDC_ROLE_MAP), and the
 * refusal of an account whose groups map to no role. The browser is played by fetch with one cookie
 * jar per host, following redirects and submitting the provider's login and consent forms.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";

const ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  alice: { email: "alice@idp.test", name: "Alice Admin", groups: ["everyone", "mandate-admins"] },
  sam: { email: "sam@idp.test", name: "Sam Analyst", groups: ["secops"] },
  nora: { email: "nora@idp.test", name: "Nora Nobody", groups: ["marketing"] },
};

let m: MandateHandle;
let idp: Server;

beforeAll(async () => {
  globalSetup();
  const [idpPort, port] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${idpPort}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: "mandate", client_secret: "mandate-secret", redirect_uris: [`http://127.0.0.1:${port}/api/auth/callback/oidc`], grant_types: ["authorization_code"], response_types: ["code"] }],
    claims: { openid: ["sub"], email: ["email"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    conformIdTokenClaims: false,
    cookies: { keys: ["oidc-test-cookie-key"] },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) }),
  } as never);
  idp = provider.listen(idpPort);
  m = await startMandate({
    console: true,
    port,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "mandate", OIDC_CLIENT_SECRET: "mandate-secret", OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "mandate-admins=admin,secops=analyst", NEXTAUTH_URL: `http://127.0.0.1:${port}` },
  });
}, 240_000);
afterAll(async () => {
  await m?.stop();
  idp?.close();
  await closeTestDb();
});

/** A browser: cookies per host, manual redirects, and submission of the provider's forms. */
class Browser {
  private jars = new Map<string, Map<string, string>>();
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.host) ?? new Map<string, string>();
    this.jars.set(u.host, jar);
    const r = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  }
  /** Follows redirects and provider forms until a page of `stopHost` that is not a redirect. */
  async follow(start: Response, base: string, account: string, stopHost: string): Promise<{ url: string; res: Response }> {
    let res = start;
    let url = base;
    for (let hops = 0; hops < 20; hops++) {
      const loc = res.headers.get("location");
      if (loc) {
        url = new URL(loc, url).href;
        res = await this.fetch(url);
        continue;
      }
      const html = res.headers.get("content-type")?.includes("text/html") ? await res.text() : "";
      const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
      if (new URL(url).host === stopHost || !form) return { url, res };
      const prompt = /name="prompt" value="(\w+)"/.exec(form[2])?.[1];
      const body = prompt === "login" ? new URLSearchParams({ prompt, login: account, password: "any" }) : new URLSearchParams({ prompt: prompt ?? "consent" });
      url = new URL(form[1].replace(/&amp;/g, "&"), url).href;
      res = await this.fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    }
    throw new Error("too many redirects");
  }
}

async function signIn(account: string) {
  const b = new Browser();
  const csrf = await b.fetch(`${m.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await b.fetch(`${m.url}/api/auth/signin/oidc`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${m.url}/tools` }),
  });
  const end = await b.follow(start, `${m.url}/api/auth/signin/oidc`, account, new URL(m.url).host);
  return { b, end };
}

describe("OIDC sign-in", () => {
  it("signs in through the provider and maps the IdP group to the admin role", async () => {
    const { b, end } = await signIn("alice");
    expect(end.url).toBe(`${m.url}/tools`);
    expect(end.res.status).toBe(200);
    const users = await b.fetch(`${m.url}/users`);
    expect(users.status).toBe(200);
    const row = (await getPool().query("SELECT role, oidc_subject, name FROM users WHERE email = 'alice@idp.test'")).rows[0];
    expect(row).toEqual({ role: "admin", oidc_subject: "alice", name: "Alice Admin" });
  });

  it("maps another group to analyst: the analyst is refused the admin pages", async () => {
    const { b, end } = await signIn("sam");
    expect(end.res.status).toBe(200);
    expect((await b.fetch(`${m.url}/users`)).status).toBe(403);
    expect((await getPool().query("SELECT role FROM users WHERE email = 'sam@idp.test'")).rows[0].role).toBe("analyst");
  });

  it("refuses an account whose groups map to no role, and creates no user", async () => {
    const { end } = await signIn("nora");
    expect(end.url).toContain("/login?error=NoRole");
    expect((await getPool().query("SELECT count(*)::int AS n FROM users WHERE email = 'nora@idp.test'")).rows[0].n).toBe(0);
  });
});
