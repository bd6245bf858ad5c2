import { signInAttempt } from "../test/support/console-http.ts";
import { expect, test } from "./support/fixtures.ts";

test("the first admin signs in through the login form, with the keyboard", async ({ console: c, browser }) => {
  const page = await (await browser.newContext({ baseURL: c.node.url })).newPage();
  await page.goto("/tools");
  await expect(page).toHaveURL(/\/login/);
  const creds = c.node.credentials!.admin;
  await page.getByLabel("Email").fill(creds.email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByLabel("Password").press("Enter");
  await expect(page.locator("#login-error")).toContainText("Email or password is wrong");
  await page.getByLabel("Password").fill(creds.password);
  await page.keyboard.press("Enter");
  // Sign-in lands on the page asked for (issue 16; e2e/sign-in-returns.spec.ts).
  await expect(page.getByRole("heading", { name: "Tools", exact: true })).toBeVisible();
  await expect(page).toHaveURL(`${c.node.url}/tools`);
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Policies");
  await expect(page.getByText(creds.email)).toBeVisible();
});

test("after 10 failed sign-ins for an account, the form says how long to wait", async ({ console: c, browser }) => {
  const account = await c.newUser("viewer");
  for (let i = 0; i < 10; i++) expect((await signInAttempt(c.node.url, account.email, `wrong-${i}`)).outcome).toBe("refused");
  const page = await (await browser.newContext({ baseURL: c.node.url })).newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByLabel("Password").press("Enter");
  await expect(page.locator("#login-error")).toHaveText(/^Too many attempts — try again in \d+ s\.?$/);
  await expect(page).toHaveURL(/\/login/);
});
