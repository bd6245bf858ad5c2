import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";

test("a personal API token is shown once, works with the user's role, and stops when revoked", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  await page.goto("/account");
  await expect(page.getByText("You have no tokens")).toBeVisible();
  await page.getByLabel("Name").fill("ci-pipeline");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("secret-value").textContent())!.trim();
  expect(secret).toMatch(/^mnd_pt_/);
  expect((await api(c.node.url, secret, "GET", "/api/v1/approvals")).status).toBe(200);
  // A viewer's token cannot do an admin's work.
  expect((await api(c.node.url, secret, "POST", "/api/v1/policies/mcp/publish", { text: "permit (principal, action, resource);" })).status).toBe(403);

  await page.reload();
  await expect(page.getByTestId("secret-once")).toHaveCount(0);
  const row = page.getByTestId("tokens").locator("tbody tr").first();
  await expect(row).toContainText("ci-pipeline");
  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(row).toContainText("revoked");
  await expect.poll(async () => (await api(c.node.url, secret, "GET", "/api/v1/approvals")).status, { timeout: 5_000 }).toBe(401);
});
