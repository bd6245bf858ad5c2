/**
 * Playwright fixtures: one Mandate node per worker (console included), users of each role created
 * through lib/identity (same database), and pages signed in through the HTTP login flow — only
 * login-form.spec.ts clicks through the form.
 */
import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { closeTestDb, startMandate, type MandateHandle } from "../../test/support/mandate.ts";
import { createUser } from "../../lib/identity/users.ts";
import type { Role } from "../../lib/identity/credential-cache.ts";
import { consoleLogin } from "./console-login.ts";

export interface Account {
  email: string;
  password: string;
  role: Role;
}

export interface Console {
  node: MandateHandle;
  /** A new user with this role (unique email). */
  newUser(role: Role): Promise<Account>;
  /** A browser page signed in as this account (or a fresh user of this role). */
  pageAs(who: Role | Account): Promise<Page>;
  /** The session cookie header of this account, for forged requests. */
  cookieOf(who: Account): Promise<string>;
}

async function signedInContext(browser: Browser, node: MandateHandle, a: Account): Promise<BrowserContext> {
  const c = await consoleLogin(node.url, a.email, a.password);
  const ctx = await browser.newContext({ baseURL: node.url });
  await ctx.addCookies([{ name: c.name, value: c.value, url: node.url, httpOnly: true, sameSite: "Lax" }]);
  return ctx;
}

export const test = base.extend<{ console: Console }, { node: MandateHandle }>({
  node: [
    async ({}, use) => {
      const node = await startMandate({ console: true });
      await use(node);
      await node.stop();
      await closeTestDb();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  console: async ({ node, browser }, use) => {
    const contexts: BrowserContext[] = [];
    const c: Console = {
      node,
      async newUser(role) {
        const password = `pw-${randomUUID()}`;
        const u = await createUser({ email: `${role}-${randomUUID().slice(0, 8)}@e2e.test`, role, password }, "test:setup");
        return { email: u.email, password, role };
      },
      async pageAs(who) {
        const account = typeof who === "string" ? await c.newUser(who) : who;
        const ctx = await signedInContext(browser, node, account);
        contexts.push(ctx);
        return ctx.newPage();
      },
      async cookieOf(a) {
        return (await consoleLogin(node.url, a.email, a.password)).header;
      },
    };
    await use(c);
    for (const ctx of contexts) await ctx.close();
  },
});

export { expect };
