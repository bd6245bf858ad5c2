import { api } from "../test/support/mandate.ts";
import { getPool } from "../lib/db/pool.ts";
import { createApiToken } from "../lib/identity/users.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { expect, test } from "./support/fixtures.ts";
import { forgeApi } from "./support/forge.ts";
import { hydrated } from "./support/page-errors.ts";

test("an admin creates a user; disabling it ends its sessions and tokens at once", async ({ console: c }) => {
  const me = await c.newUser("admin");
  const admin = await c.pageAs(me);
  await admin.goto("/users");
  const email = `new-${Date.now()}@e2e.test`;
  const form = admin.getByRole("form", { name: "Create a user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("analyst");
  await form.getByRole("button", { name: "Create user" }).click();
  const password = (await admin.getByTestId("secret-value").textContent())!.trim();

  const user = await c.pageAs({ email, password, role: "analyst" });
  await user.goto("/tools");
  await expect(user.getByRole("heading", { name: "Tools" })).toBeVisible();
  const uid = (await getPool().query("SELECT id FROM users WHERE email = $1", [email])).rows[0].id;
  const token = (await createApiToken(noNode(), uid, "t", "test:setup", 1)).secret;
  expect((await api(c.node.url, token, "GET", "/api/v1/approvals")).status).toBe(200);

  const row = admin.locator(`tr[data-email="${email}"]`);
  await row.getByRole("button", { name: "Disable" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Disable user" }).click();
  await expect(row).toContainText("disabled");

  await user.goto("/tools");
  await expect(user).toHaveURL(/\/login/);

  // Guard rails, enforced on the server: an admin cannot disable or demote their own account.
  const myId = (await getPool().query("SELECT id FROM users WHERE email = $1", [me.email])).rows[0].id;
  const cookie = await c.cookieOf(me);
  const self = await forgeApi(c.node.url, `/api/v1/users/${myId}/disable`, {}, cookie);
  expect(self.status).toBe(409);
  expect(self.body.detail).toContain("you cannot disable your own account");
  const demote = await forgeApi(c.node.url, `/api/v1/users/${myId}/role`, { role: "viewer" }, cookie);
  expect(demote.status).toBe(409);
  expect(demote.body.detail).toContain("you cannot remove your own admin role");
  await expect.poll(async () => (await api(c.node.url, token, "GET", "/api/v1/approvals")).status, { timeout: 5_000 }).toBe(401);
});

test("a role change asks for confirmation: Cancel leaves the role, confirming changes it and says so", async ({ console: c }) => {
  const admin = await c.pageAs(await c.newUser("admin"));
  const target = await c.newUser("viewer");
  await admin.goto("/users");
  const row = admin.locator(`tr[data-email="${target.email}"]`);
  const select = row.getByLabel(`Role of ${target.email}`, { exact: true });
  await hydrated(admin, `tr[data-email="${target.email}"] select`);
  const roleInDb = async () => (await getPool().query("SELECT role FROM users WHERE email = $1", [target.email])).rows[0].role;

  await select.selectOption("admin");
  const dialog = admin.getByRole("dialog", { name: `Change the role of ${target.email}?` });
  await expect(dialog).toContainText("From viewer (read only) to admin");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(select).toHaveValue("viewer");
  expect(await roleInDb()).toBe("viewer");

  await select.selectOption("analyst");
  await dialog.getByRole("button", { name: "Make analyst" }).click();
  await expect(row.getByRole("status")).toHaveText("Role changed to analyst");
  await expect(select).toHaveValue("analyst");
  expect(await roleInDb()).toBe("analyst");
});
