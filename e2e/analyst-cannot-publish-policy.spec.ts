import { api } from "../test/support/mandate.ts";
import { getPool } from "../lib/db/pool.ts";
import { createApiToken } from "../lib/identity/users.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { expect, test } from "./support/fixtures.ts";
import { forgeApi } from "./support/forge.ts";

const EVIL = `@id("allow-everything") permit (principal, action, resource);`;
const versions = async () => Number((await getPool().query("SELECT count(*) FROM policy_versions")).rows[0].count);

test("an analyst cannot publish a policy, not even with a forged request", async ({ console: c }) => {
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  await page.goto("/policies");
  await expect(page.getByText("Only admins save and publish policy")).toBeVisible();
  await expect(page.getByRole("button", { name: /Publish/ })).toHaveCount(0);

  const before = await versions();
  // The console's publish call, made directly with the analyst's session cookie.
  const cookie = await c.cookieOf(analyst);
  const forged = await forgeApi(c.node.url, "/api/v1/policies/mcp/publish", { text: EVIL, tests: [], mode: "active" }, cookie);
  expect(forged.status).toBe(403);
  const rollback = await forgeApi(c.node.url, "/api/v1/policies/mcp/rollback", { version: 1 }, cookie);
  expect(rollback.status).toBe(403);
  // The API, with the analyst's personal token.
  const uid = (await getPool().query("SELECT id FROM users WHERE email = $1", [analyst.email])).rows[0].id;
  const token = (await createApiToken(noNode(), uid, "forge", "test:setup", 1)).secret;
  const viaApi = await api(c.node.url, token, "POST", "/api/v1/policies/mcp/publish", { text: EVIL });
  expect(viaApi.status).toBe(403);
  expect(viaApi.body.detail).toContain("role analyst may not");
  expect(await versions()).toBe(before);
});
