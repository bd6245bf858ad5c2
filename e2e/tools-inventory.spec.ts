import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";

test("the inventory filters, searches, sorts and pages with a cursor", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const server = `bulk-${randomUUID().slice(0, 6)}`;
  const tools = Array.from({ length: 55 }, (_, i) => ({
    name: `get_record_${String(i).padStart(2, "0")}`,
    description: "Get one record by id.",
    inputSchema: { type: "object", properties: { id: { type: "string" } } },
  }));
  expect((await api(c.node.url, key, "POST", "/api/v1/inventory", { server, tools })).status).toBe(200);

  const page = await c.pageAs("viewer");
  await page.goto("/tools");
  const table = page.getByTestId("table-tools");
  await page.getByLabel("Server").selectOption(server);
  await expect(page).toHaveURL(new RegExp(`server=${server}`));
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(table.locator("tbody tr").first()).toContainText("get_record_00");
  await page.getByRole("link", { name: "Next →" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(5);
  await expect(table.locator("tbody tr").first()).toContainText("get_record_50");
  await page.getByRole("link", { name: "← Previous" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(50);
  await expect(table.locator("tbody tr").last()).toContainText("get_record_49");

  await page.goto("/tools?status=pending&server=crm");
  await expect(table).toContainText("crm/export_customers");
  await expect(table).not.toContainText("files/read_file");
  await page.goto("/tools");
  // The table's own search box (the header has the global search).
  const search = page.getByRole("search", { name: "Filter tools" }).getByRole("searchbox");
  await search.fill("send_email");
  await search.press("Enter");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  // Other specs share this node and may add tools with the label: every row has it, and the demo's does.
  await page.goto("/tools?labels=external_comm");
  await expect(table).toContainText("mail/send_email");
  for (const row of await table.locator("tbody tr").all()) await expect(row).toContainText("external_comm");
  await expect(table).not.toContainText("files/read_file");
  await page.goto("/tools?effect=destructive&risk=high");
  await expect(table).toContainText("files/delete_file");
  await page.goto("/tools");
  await page.getByRole("link", { name: /Risk/ }).click();
  await expect(page).toHaveURL(/sort=risk&dir=desc/);
  await expect(table.locator("tbody tr").first()).toContainText(/high|critical/);
  await page.goto("/tools?q=nothing-is-called-this");
  await expect(page.getByTestId("table-empty")).toContainText("Nothing matches these filters");
  // Resources and prompts are in the same inventory, told apart by kind.
  await page.goto("/tools?kind=resource&server=crm");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("crm/crm://customers/{id}");
  await expect(table).toContainText("resource");
});

test("an admin turns a content detector off for one item, and the page and the audit say so", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const server = `det-${randomUUID().slice(0, 6)}`;
  const tools = [{ name: "list_tickets", description: "List support tickets.", inputSchema: { type: "object", properties: {} } }];
  expect((await api(c.node.url, key, "POST", "/api/v1/inventory", { server, tools })).status).toBe(200);

  const viewer = await c.pageAs("viewer");
  await viewer.goto(`/tools/${server}/list_tickets`);
  await expect(viewer.getByRole("region", { name: "Content detectors" })).toContainText("Every detector is on.");
  await expect(viewer.getByRole("form", { name: "Content detectors" })).toHaveCount(0);

  const page = await c.pageAs("admin");
  await page.goto(`/tools/${server}/list_tickets`);
  const form = page.getByRole("form", { name: "Content detectors" });
  await form.getByRole("checkbox", { name: /email/ }).check();
  await form.getByRole("button", { name: "Save detectors" }).click();
  await expect(page.getByRole("region", { name: "Content detectors" })).toContainText("Off: email.");
  await expect(page.getByRole("region", { name: "History (audited)" })).toContainText("tool.detectors");
});
