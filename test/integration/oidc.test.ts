/**
 * Single sign-on against a real OpenID provider (the `oidc-provider` package, started here): the
 * console's OIDC login, the mapping of the IdP's groups to a Mandate role (OIDC_ROLE_MAP), the
 * refusal of an account whose groups map to no role, and explicit identity linking: an IdP login
 * reaches an existing account only by a verified email or an existing (issuer, subject) link, and
 * role changes from groups are audited. The browser is played by fetch with one cookie jar per host,
 * following redirects and submitting the provider's login and consent forms.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import globalSetup from "../../e2e/support/global-setup.ts";
import { closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";

const ACCOUNTS: Record<string, { email: string; email_verified?: boolean; name: string; groups: string[] }> = {
  alice: { email: "alice@idp.test", email_verified: true, name: "Alice Admin", groups: ["everyone", "mandate-admins"] },
  sam: { email: "sam@idp.test", email_verified: true, name: "Sam Analyst", groups: ["secops"] },
  nora: { email: "nora@idp.test", email_verified: true, name: "Nora Nobody", groups: ["marketing"] },
  // Claims the email of an existing Mandate account without the provider having verified it.
  mallory: { email: "victim@idp.test", email_verified: false, name: "Mallory", groups: ["mandate-admins"] },
  // The same address, verified by the provider: the owner of that account.
  victor: { email: "victim@idp.test", email_verified: true, name: "Victor Victim", groups: ["secops"] },
  // A new address, not verified, that no account has.
  una: { email: "una@idp.test", email_verified: false, name: "Una Unverified", groups: ["secops"] },
  // A second provider account with victor's (verified) address: the account is already linked.
  vince: { email: "victim@idp.test", email_verified: true, name: "Vince", groups: ["mandate-admins"] },
};
let issuer: string;

let m: MandateHandle;
let idp: Server;

beforeAll(async () => {
  globalSetup();
  const [idpPort, port] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${idpPort}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "mandate",
        client_secret: "mandate-secret",
        redirect_uris: [`http://127.0.0.1:${port}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    scopes: ["openid", "email", "profile", "groups"],
    conformIdTokenClaims: false,
    cookies: { keys: ["oidc-test-cookie-key"] },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, ...ACCOUNTS[sub] }) }),
  } as never);
  idp = provider.listen(idpPort);
  m = await startMandate({
    console: true,
    port,
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: "mandate",
      OIDC_CLIENT_SECRET: "mandate-secret",
      OIDC_ROLE_CLAIM: "groups",
      OIDC_ROLE_MAP: "mandate-admins=admin,secops=analyst",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    },
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
    const r = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return r;
  }
  hasSession(host: string): boolean {
    return !!this.jars.get(host)?.get("next-auth.session-token");
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

async function signIn(account: string, callbackUrl = `${m.url}/tools`) {
  const b = new Browser();
  const csrf = await b.fetch(`${m.url}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await b.fetch(`${m.url}/api/auth/signin/oidc`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl }),
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
    const row = (
      await getPool().query(
        "SELECT u.role, u.name, i.issuer, i.subject FROM users u JOIN user_identities i ON i.user_id = u.id WHERE u.email = 'alice@idp.test'",
      )
    ).rows;
    expect(row).toEqual([{ role: "admin", name: "Alice Admin", issuer, subject: "alice" }]);
  });

  it("lands on the console page asked for, and on the dashboard for any target off the console (issue 16)", async () => {
    expect((await signIn("sam", "/sessions?x=1")).end.url).toBe(`${m.url}/sessions?x=1`);
    for (const evil of ["https://evil.example/x", "//evil.example/x", "/\\evil.example/x"]) expect((await signIn("sam", evil)).end.url, evil).toBe(`${m.url}/`);
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

const userRow = async (email: string) =>
  (await getPool().query("SELECT id, email, name, role, password_hash, disabled_at FROM users WHERE email = $1", [email])).rows[0];
const links = async (email: string) =>
  (await getPool().query("SELECT i.issuer, i.subject FROM user_identities i JOIN users u ON u.id = i.user_id WHERE u.email = $1 ORDER BY i.subject", [email]))
    .rows;
const audit = async (action: string, email: string) =>
  (await getPool().query("SELECT actor, data FROM audit_entries WHERE action = $1 AND data->>'email' = $2 ORDER BY created_at, seq", [action, email]))
    .rows as Array<{ actor: string; data: Record<string, any> }>;

describe("identity linking", () => {
  it("an unverified email that matches an existing account signs nobody in and changes nothing", async () => {
    await createUser(noNode(), { email: "victim@idp.test", role: "viewer", name: "The Victim", password: "victim-password-1" }, "test:setup");
    const before = await userRow("victim@idp.test");
    const { b, end } = await signIn("mallory");
    expect(end.url).toContain("/login?error=AccountNotLinked");
    expect(b.hasSession(new URL(m.url).host)).toBe(false);
    expect((await b.fetch(`${m.url}/tools`)).status).toBe(307);
    expect(await userRow("victim@idp.test")).toEqual(before);
    expect(await links("victim@idp.test")).toEqual([]);
    const refused = await audit("auth.signin_failed", "victim@idp.test");
    expect(refused.map((e) => e.data)).toEqual([expect.objectContaining({ provider: "oidc", issuer, subject: "mallory", reason: "email_not_verified" })]);
  });

  it("a verified email links the provider identity to the existing account; the role change from groups is audited", async () => {
    const before = await userRow("victim@idp.test");
    const { b, end } = await signIn("victor");
    expect(end.url).toBe(`${m.url}/tools`);
    expect(end.res.status).toBe(200);
    const after = await userRow("victim@idp.test");
    expect(after).toEqual({ ...before, role: "analyst" });
    expect(await links("victim@idp.test")).toEqual([{ issuer, subject: "victor" }]);
    expect((await audit("auth.sso_link", "victim@idp.test")).map((e) => e.data)).toEqual([
      expect.objectContaining({ user_id: before.id, issuer, subject: "victor", via: "verified_email" }),
    ]);
    expect((await audit("user.role", "victim@idp.test")).map((e) => [e.actor, e.data])).toEqual([
      [`sso:${issuer}`, expect.objectContaining({ user_id: before.id, before: "viewer", after: "analyst", source: "oidc_groups" })],
    ]);
    expect((await audit("auth.signin", "victim@idp.test")).map((e) => e.data)).toEqual([expect.objectContaining({ provider: "oidc", user_id: before.id })]);
    expect((await b.fetch(`${m.url}/users`)).status).toBe(403);
  });

  it("the existing (issuer, subject) link keeps working when the email is no longer verified; a group change is audited", async () => {
    ACCOUNTS.victor = { ...ACCOUNTS.victor, email_verified: false, groups: ["mandate-admins"] };
    const { b, end } = await signIn("victor");
    expect(end.url).toBe(`${m.url}/tools`);
    expect((await b.fetch(`${m.url}/users`)).status).toBe(200);
    expect((await userRow("victim@idp.test")).role).toBe("admin");
    expect((await audit("user.role", "victim@idp.test")).map((e) => [e.data.before, e.data.after])).toEqual([
      ["viewer", "analyst"],
      ["analyst", "admin"],
    ]);
    expect(await audit("auth.sso_link", "victim@idp.test")).toHaveLength(1);
  });

  it("another provider identity with the same verified email is not linked to an account that already has one", async () => {
    const before = await userRow("victim@idp.test");
    const { end } = await signIn("vince");
    expect(end.url).toContain("/login?error=AccountNotLinked");
    expect(await userRow("victim@idp.test")).toEqual(before);
    expect(await links("victim@idp.test")).toEqual([{ issuer, subject: "victor" }]);
    expect((await audit("auth.signin_failed", "victim@idp.test")).map((e) => e.data.reason)).toEqual([
      "email_not_verified",
      "account_linked_to_another_identity",
    ]);
  });

  it("an unverified email that no account has gets a new account (and nothing else)", async () => {
    const { end } = await signIn("una");
    expect(end.url).toBe(`${m.url}/tools`);
    const row = await userRow("una@idp.test");
    expect(row).toMatchObject({ role: "analyst", password_hash: null });
    expect(await links("una@idp.test")).toEqual([{ issuer, subject: "una" }]);
    expect((await audit("user.create", "una@idp.test")).map((e) => e.actor)).toEqual([`sso:${issuer}`]);
  });
});
