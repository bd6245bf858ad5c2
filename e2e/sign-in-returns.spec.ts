/**
 * Issue 16: a link opened while signed out survives sign-in — for paths of this console only. The
 * page asked for is carried to /login as `callbackUrl`; anything that could lead off-site lands on the
 * dashboard (lib/auth/return-path.ts).
 */
import type { Browser } from "@playwright/test";
import { expect, test } from "./support/fixtures.ts";
import type { Account } from "./support/fixtures.ts";

async function signInThroughForm(browser: Browser, baseURL: string, a: Account, start: string) {
  const page = await (await browser.newContext({ baseURL })).newPage();
  await page.goto(start);
  await expect(page).toHaveURL(/\/login(\?|$)/);
  const loginUrl = page.url();
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByLabel("Password").press("Enter");
  return { page, loginUrl };
}

test("a page opened while signed out is where sign-in lands", async ({ console: c, browser }) => {
  const a = await c.newUser("analyst");
  const { page, loginUrl } = await signInThroughForm(browser, c.node.url, a, "/sessions?x=1");
  expect(new URL(loginUrl).searchParams.get("callbackUrl")).toBe("/sessions?x=1");
  await expect(page).toHaveURL(`${c.node.url}/sessions?x=1`);
  await expect(page.getByRole("heading", { name: "Sessions", exact: true })).toBeVisible();
  await page.context().close();
});

test("an off-site callbackUrl lands on the dashboard", async ({ console: c, browser }) => {
  const a = await c.newUser("viewer");
  // More forms (//host, control characters, …) in lib/auth/return-path.test.ts and, for SSO, test/integration/oidc.test.ts.
  for (const evil of ["https://evil.example/x", "/\\evil.example/x"]) {
    const { page } = await signInThroughForm(browser, c.node.url, a, `/login?callbackUrl=${encodeURIComponent(evil)}`);
    await expect(page.getByRole("heading", { name: "Latest decisions" })).toBeVisible();
    expect(page.url(), evil).toBe(`${c.node.url}/`);
    await page.context().close();
  }
});
