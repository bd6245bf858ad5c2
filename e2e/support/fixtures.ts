/**
 * Playwright fixtures: one Mandate node per worker (console included), users of each role created
 * through lib/identity (same database), and pages signed in through the HTTP login flow — only
 * login-form.spec.ts clicks through the form.
 *
 * Every page of every test is watched for Content-Security-Policy violations (the `securitypolicyviolation`
 * event in every frame, and console messages naming the policy): any violation fails the test, unless
 * the test declares it expected with `test.use({ cspAllowed: [/frame-ancestors/] })`.
 */
import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { closeTestDb, startMandate, type MandateHandle } from "../../test/support/mandate.ts";
import { createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
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

export interface CspViolation {
  page: string;
  text: string;
}

const watched = new WeakSet<BrowserContext>();

/** Reports every CSP violation of the context's pages (all frames) to `sink`. Idempotent. */
async function watchCsp(ctx: BrowserContext, sink: CspViolation[]): Promise<void> {
  if (watched.has(ctx)) return;
  watched.add(ctx);
  await ctx.exposeBinding("__mandateCspViolation", ({ frame }, text: string) => void sink.push({ page: frame.url(), text }));
  await ctx.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __mandateCspViolation?: (t: string) => Promise<void> }).__mandateCspViolation;
      void report?.(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} (${e.sourceFile || "document"}:${e.lineNumber}) ${e.sample}`.trim());
    });
  });
  ctx.on("console", (msg) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) sink.push({ page: msg.page()?.url() ?? "", text: msg.text() });
  });
}

async function signedInContext(browser: Browser, node: MandateHandle, a: Account): Promise<BrowserContext> {
  const c = await consoleLogin(node.url, a.email, a.password);
  const ctx = await browser.newContext({ baseURL: node.url });
  await ctx.addCookies([{ name: c.name, value: c.value, url: node.url, httpOnly: true, sameSite: "Lax" }]);
  return ctx;
}

export const test = base.extend<{ console: Console; cspAllowed: RegExp[]; csp: CspViolation[] }, { node: MandateHandle }>({
  /** Violations a test expects (matched against their text); any other fails the test. */
  cspAllowed: [[], { option: true }],
  csp: [
    async ({ browser, cspAllowed }, use) => {
      const seen: CspViolation[] = [];
      // Every context the test opens, however it opens it (the fixtures below, or browser.newContext in a spec).
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const ctx = await newContext(options);
        await watchCsp(ctx, seen);
        return ctx;
      };
      try {
        await use(seen);
      } finally {
        browser.newContext = newContext;
      }
      // Torn down after the contexts are closed (they depend on this fixture), so every event has arrived.
      expect(
        seen.filter((v) => !cspAllowed.some((re) => re.test(v.text))),
        "Content-Security-Policy violations",
      ).toEqual([]);
    },
    { auto: true },
  ],
  context: async ({ context, csp }, use) => {
    await watchCsp(context, csp);
    await use(context);
  },
  node: [
    async ({}, use) => {
      // The multi-process layout: 2 data-plane workers, console requests proxied to Next.js.
      const node = await startMandate({ console: true, workers: 2 });
      await use(node);
      await node.stop();
      await closeTestDb();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  console: async ({ node, browser, csp }, use) => {
    const contexts: BrowserContext[] = [];
    const c: Console = {
      node,
      async newUser(role) {
        const password = `pw-${randomUUID()}`;
        const u = await createUser(noNode(), { email: `${role}-${randomUUID().slice(0, 8)}@e2e.test`, role, password }, "test:setup");
        return { email: u.email, password, role };
      },
      async pageAs(who) {
        const account = typeof who === "string" ? await c.newUser(who) : who;
        const ctx = await signedInContext(browser, node, account);
        await watchCsp(ctx, csp);
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
