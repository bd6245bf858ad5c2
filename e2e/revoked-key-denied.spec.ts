import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";

test("a key created in the console works once, and a revoked key is refused on its next use", async ({ console: c }) => {
  const page = await c.pageAs("admin");
  const name = `agent-${randomUUID().slice(0, 8)}`;
  await page.goto("/agents");
  const form = page.getByRole("form", { name: "Register an agent" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Team").fill("qa");
  await form.getByLabel("Owner").selectOption("");
  await form.getByLabel("Description").fill("End-to-end test agent");
  await form.getByRole("button", { name: "Register agent" }).click();
  const secret = (await page.getByTestId("secret-value").textContent())!.trim();
  expect(secret).toMatch(/^mnd_ak_/);
  await expect(page.getByTestId("secret-once")).toContainText("shown only once");

  const ok = await decide(c.node.url, secret, `rk-${randomUUID()}`, "files/read_file", { path: "a.txt" });
  expect(ok.status).toBe(200);
  expect(ok.body.decision).toBe("allow");

  // Flags: no owner; after a short-lived second key, a key expiring soon.
  await page.goto(`/agents?q=${name}`);
  await expect(page.getByTestId("table-agents").locator('[data-flag="no_owner"]')).toHaveCount(1);
  await page.goto(`/agents/${name}`);
  await page.getByLabel("Expires in (days)").fill("5");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("secret-once")).toContainText("New key");
  await expect(page.getByTestId("agent-keys")).toContainText("expires soon");
  await page.goto("/agents?flag=key_near_expiry");
  await expect(page.getByTestId("table-agents")).toContainText(name);

  await page.goto(`/agents/${name}`);
  const keyId = secret.split("_").slice(0, 3).join("_");
  const row = page.locator(`tr[data-key-id="${keyId}"]`);
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("refused from its next request");
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toContainText("revoked");

  await expect
    .poll(async () => (await decide(c.node.url, secret, `rk-${randomUUID()}`, "files/read_file", { path: "a.txt" })).status, { timeout: 5_000 })
    .toBe(401);
  const refused = await decide(c.node.url, secret, `rk-${randomUUID()}`, "files/read_file");
  expect(refused.body.detail).toBe("credential revoked");
});
