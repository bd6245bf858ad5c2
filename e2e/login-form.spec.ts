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
  await expect(page.getByRole("heading", { name: "Latest decisions" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Policies");
  await expect(page.getByText(creds.email)).toBeVisible();
});
