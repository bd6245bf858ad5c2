import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";

test("the NHI inventory lists what needs attention, each with the action that fixes it", async ({ console: c }) => {
  const n = randomUUID().slice(0, 6);
  const ownerless = await c.node.createAgent(`nhi-orphan-${n}`);
  const federable = await c.node.createAgent(`nhi-fed-${n}`, { owner: "admin@mandate.local" });
  const trust = await api(c.node.url, c.node.adminToken, "POST", `/api/v1/agents/${federable.name}/trust`, {
    issuer: "https://issuer.example",
    subject: "system:serviceaccount:payments:refund-bot",
    jwks_url: "https://issuer.example/jwks",
  });
  expect(trust.status).toBe(201);
  const expiring = await api(c.node.url, c.node.adminToken, "POST", `/api/v1/agents/${ownerless.name}/keys`, { expires_in_days: 3 });
  expect(expiring.status).toBe(201);

  const page = await c.pageAs("admin");
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "NHI" }).click();
  await expect(page.getByRole("heading", { name: "NHI inventory" })).toBeVisible();

  // Agents without an owner: assign one, and the agent leaves the list.
  const noOwner = page.getByTestId("nhi-no-owner");
  const orphanRow = noOwner.locator(`tr[data-agent="${ownerless.name}"]`);
  await expect(orphanRow).toBeVisible();
  await orphanRow.getByRole("combobox", { name: "Owner" }).selectOption("admin@mandate.local");
  await orphanRow.getByRole("button", { name: "Assign owner" }).click();
  await expect(orphanRow).toHaveCount(0);

  // A key expiring in 3 days: rotate it from here; the new key is shown once.
  const expiringRow = page.getByTestId("nhi-expiring").locator(`tr[data-key-id="${expiring.body.keyId}"]`);
  await expect(expiringRow).toContainText("agent key");
  await expiringRow.getByRole("spinbutton", { name: "Overlap (hours)" }).fill("1");
  await expiringRow.getByRole("button", { name: "Rotate" }).click();
  await expect(page.getByTestId("secret-once")).toContainText("New key");
  expect((await page.getByTestId("secret-value").textContent())!.trim()).toMatch(/^mnd_ak_[a-z2-9]{8}_[A-Za-z0-9]{38}$/);

  // A static key on an agent that has a trust rule: make the agent federated-only, and the key is gone.
  const fedKeyId = federable.apiKey.slice(0, 15);
  const fedRow = page.getByTestId("nhi-federable").locator(`tr[data-key-id="${fedKeyId}"]`);
  await expect(fedRow).toContainText(federable.name);
  await fedRow.getByRole("button", { name: `Make ${federable.name} federated-only` }).click();
  await expect(fedRow).toHaveCount(0);
  const me = await api(c.node.url, federable.apiKey, "GET", "/api/v1/agents/me");
  expect(me.status).toBe(401);

  // Every section is there, with its count.
  for (const id of ["nhi-leaks", "nhi-disabled-owner", "nhi-never-expiring", "nhi-old-keys", "nhi-unused-keys", "nhi-unused-agents"]) {
    await expect(page.getByTestId(id)).toHaveAttribute("data-count", /^\d+$/);
  }
});
