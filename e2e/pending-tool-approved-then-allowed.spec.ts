import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";

test("a pending tool approved in the console is then allowed by the decision API", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const server = `inv-${randomUUID().slice(0, 6)}`;
  const report = await api(c.node.url, key, "POST", "/api/v1/inventory", {
    server,
    tools: [
      {
        name: "list_tickets",
        description: "List the open support tickets of a queue.",
        inputSchema: { type: "object", properties: { queue: { type: "string" } } },
        annotations: { readOnlyHint: true },
      },
    ],
  });
  expect(report.status).toBe(200);
  const session = `approve-${randomUUID()}`;
  const before = await decide(c.node.url, key, session, `${server}/list_tickets`, { queue: "billing" });
  expect(before.body.decision).toBe("deny");
  expect(before.body.reasons[0].policy).toBe("mandate.tool_not_approved");

  const page = await c.pageAs("admin");
  await page.goto("/tools?status=pending");
  await page.getByRole("link", { name: `${server}/list_tickets` }).click();
  await expect(page.getByRole("heading", { name: `${server}/list_tickets` })).toBeVisible();
  await expect(page.getByTestId("suggestion-reasons")).toContainText("list_tickets");
  await expect(page.getByTestId("annotations")).toContainText("server hint");
  await page.getByLabel("Why (kept in the audit log)").fill("reviewed: read-only listing of ticket titles");
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status")).toContainText("Approved");
  await expect(page.getByTestId("tool-history")).toContainText("reviewed: read-only listing");

  await expect
    .poll(async () => (await decide(c.node.url, key, session, `${server}/list_tickets`, { queue: "billing" })).body.decision, { timeout: 10_000 })
    .toBe("allow");
});
