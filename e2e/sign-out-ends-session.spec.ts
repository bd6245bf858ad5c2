import { expect, test } from "./support/fixtures.ts";

test("signing out ends the session: a copy of the cookie gets the login page and a 401 from the API", async ({ console: c, browser }) => {
  const page = await c.pageAs("analyst");
  await page.goto("/tools");
  await expect(page.getByRole("heading", { name: "Tools" })).toBeVisible();
  const copied = (await page.context().cookies()).find((k) => k.name === "next-auth.session-token")!;
  expect(copied).toBeTruthy();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  const other = await browser.newContext({ baseURL: c.node.url });
  await other.addCookies([{ name: copied.name, value: copied.value, url: c.node.url, httpOnly: true, sameSite: "Lax" }]);
  const tab = await other.newPage();
  await tab.goto("/tools");
  await expect(tab).toHaveURL(/\/login/);
  expect((await other.request.get("/api/v1/approvals")).status()).toBe(401);
  await other.close();
});
