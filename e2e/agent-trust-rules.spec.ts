/**
 * Issue 20 §1: an agent's trust rules in the console. An admin adds one (checked with the API's own schema:
 * a bad issuer is an inline error and nothing is written), sees it, removes it after a confirmation that
 * says what it revokes, and makes the agent federated-only; the Create-key form's maximum is the server's.
 * A viewer sees none of it.
 */
import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";

test("an admin adds, sees and removes a trust rule and makes the agent federated-only; a viewer cannot", async ({ console: c }) => {
  const agent = await c.node.createAgent(`trust-ui-${randomUUID().slice(0, 6)}`);
  const rules = async () => (await api(c.node.url, c.node.adminToken, "GET", `/api/v1/agents/${agent.name}/trust`)).body.rules as unknown[];

  const page = await c.pageAs("admin");
  await page.goto(`/agents/${agent.name}`);
  // The Create-key form offers what the server accepts (MANDATE_MAX_KEY_DAYS, 365 by default), and says so.
  await expect(page.getByRole("spinbutton", { name: "Expires in (days)" })).toHaveAttribute("max", "365");
  await expect(page.getByText("agent keys live at most 365 days on this deployment (MANDATE_MAX_KEY_DAYS)")).toBeVisible();

  const form = page.getByRole("form", { name: "Add a trust rule" });
  await expect(page.getByText("No trust rule: this agent can only use static keys.")).toBeVisible();

  // A bad issuer (not a URL, no JWKS URL): the schema's message next to the field, and nothing written.
  await form.getByLabel("Issuer").fill("not a url");
  await form.getByLabel("Subject").fill("system:serviceaccount:payments:refund-bot");
  await form.getByRole("button", { name: "Add trust rule" }).click();
  await expect(form.getByText("without jwks_url the issuer must be an https URL")).toBeVisible();
  await expect(form.getByLabel("Issuer")).toHaveAttribute("aria-invalid", "true");
  expect(await rules()).toEqual([]);

  // A good rule: it is listed with who created it.
  await form.getByLabel("Issuer").fill("https://issuer.example");
  await form.getByLabel("Claims (optional)").fill("repository=acme/agents");
  await form.getByLabel("JWKS URL (optional)").fill("https://issuer.example/jwks");
  await form.getByRole("button", { name: "Add trust rule" }).click();
  const row = page.getByTestId("trust-rules").locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("https://issuer.example");
  await expect(row).toContainText("system:serviceaccount:payments:refund-bot");
  await expect(row).toContainText("repository=acme/agents");
  await expect(row).toContainText("https://issuer.example/jwks");
  await expect(row).toContainText("admin");
  expect(await rules()).toHaveLength(1);

  // Remove: the confirmation says what it revokes; cancelling keeps the rule.
  await row.getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: /Remove the trust rule/ });
  await expect(dialog).toContainText("no access token admitted by this rule is still valid");
  await dialog.getByRole("button", { name: "Remove trust rule" }).click();
  await expect(page.getByText("No trust rule: this agent can only use static keys.")).toBeVisible();
  expect(await rules()).toEqual([]);

  // Federated-only: its key is revoked and the Create-key form goes away.
  await page.getByRole("button", { name: "Make federated-only" }).click();
  const fo = page.getByRole("dialog", { name: /federated-only/ });
  await expect(fo).toContainText("Its active key is revoked now");
  await fo.getByRole("button", { name: "Make federated-only" }).click();
  await expect(page.getByTestId("federated-only-note")).toBeVisible();
  await expect(page.getByRole("form", { name: "Create an API key" })).toHaveCount(0);
  expect((await api(c.node.url, agent.apiKey, "GET", "/api/v1/agents/me")).status).toBe(401);

  // A viewer: no trust rules, no forms.
  const viewer = await c.pageAs("viewer");
  await viewer.goto(`/agents/${agent.name}`);
  await expect(viewer.getByRole("heading", { name: agent.name })).toBeVisible();
  await expect(viewer.getByRole("heading", { name: "Workload identity (trust rules)" })).toHaveCount(0);
  await expect(viewer.getByRole("form", { name: "Add a trust rule" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Make federated-only" })).toHaveCount(0);
});
