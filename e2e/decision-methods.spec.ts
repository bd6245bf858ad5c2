/**
 * Issue 15: every MCP method is decided, so the console says which method each decision was for — the
 * session timeline and the step drawer show a method chip and the target (a resource's exact URI, the
 * server of a server-level method), and the audit explorer shows the method and filters by it. The
 * decisions are made through the real decision API (a tool call, a resource read, a prompt, initialize,
 * logging/setLevel and a server's sampling request in one session).
 */
import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";
import { agentKey } from "./fixtures/analyst.ts";

test("the timeline, the step drawer and the audit explorer name each decision's method", async ({ console: c }) => {
  const session = `methods-${randomUUID()}`;
  const key = agentKey(c.node);
  const requests: Array<Record<string, unknown>> = [
    { action: "tools/call", tool: { server: "crm", name: "get_customer" }, arguments: { customer_id: "c-1" } },
    { action: "resources/read", resource: { server: "crm", uri: "crm://customers/c-1" } },
    { action: "prompts/get", prompt: { server: "crm", name: "customer_brief" }, arguments: {} },
    { action: "initialize", server: { name: "crm" }, arguments: {} },
    { action: "logging/setLevel", server: { name: "crm" }, arguments: { level: "info" } },
    { action: "sampling/createMessage", server: { name: "crm" }, arguments: { maxTokens: 5 } },
  ];
  for (const body of requests) {
    const r = await api(c.node.url, key, "POST", "/api/v1/decisions", { session: { id: session }, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(200); // allowed or denied: a step either way
  }
  const page = await c.pageAs("analyst");
  await page.goto(`/sessions/${session}`);
  const steps = page.getByTestId("timeline-step");
  await expect(steps).toHaveCount(requests.length);
  const chip = (step: number) => page.locator(`[data-testid="timeline-step"][data-step="${step}"] [data-testid="method-chip"]`);
  const methods = requests.map((r) => String(r.action));
  for (const [i, m] of methods.entries()) await expect(chip(i + 1)).toHaveAttribute("data-method", m);
  await expect(page.locator('[data-testid="timeline-step"][data-step="2"]')).toContainText("crm/crm://customers/c-1");
  await expect(page.locator('[data-testid="timeline-step"][data-step="4"]')).toContainText("server crm");
  await expect(chip(6)).toContainText("← server"); // a request the server sends to the client

  await page
    .locator('[data-testid="timeline-step"][data-step="6"]')
    .getByRole("button", { name: /Step 6/ })
    .click();
  const details = page.getByRole("dialog").getByTestId("step-details");
  await expect(details).toHaveAttribute("data-step", "6");
  await expect(details.getByTestId("method-chip")).toHaveAttribute("data-method", "sampling/createMessage");
  await expect(details).toContainText("on server crm");

  // The audit explorer: the method of each decision, and a filter by method.
  await page.goto(`/audit?session=${encodeURIComponent(session)}&kind=decision`);
  await expect(page.getByTestId("audit-entry")).toHaveCount(requests.length);
  for (const m of methods) await expect(page.locator(`main [data-testid="method-chip"][data-method="${m}"]`)).toHaveCount(1);
  await page.goto(`/audit?session=${encodeURIComponent(session)}&method=${encodeURIComponent("sampling/createMessage,resources/read")}`);
  await expect(page.getByTestId("audit-entry")).toHaveCount(2);
  await expect(page.locator('main [data-testid="method-chip"]')).toHaveCount(2);
});
