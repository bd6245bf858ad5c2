import { randomUUID } from "node:crypto";
import { api } from "../test/support/mandate.ts";
import { getPool } from "../lib/db/pool.ts";
import { expect, test } from "./support/fixtures.ts";

/** The actors of the audit entries of these actions about an agent (by name) or a tool (server/name). */
const actors = async (actions: string[], agent: string | null, tool: string | null) =>
  (
    await getPool().query("SELECT action, actor FROM audit_entries WHERE action = ANY($1) AND (data->>'name' = $2 OR tool = $3) ORDER BY created_at", [
      actions,
      agent,
      tool,
    ])
  ).rows;

test("an analyst suspends an agent and blocks a tool in the console; an admin lifts both; each change is audited", async ({ console: c }) => {
  const agent = await c.node.createAgent(`ops-${randomUUID().slice(0, 8)}`);
  const server = `ops-${randomUUID().slice(0, 6)}`;
  const report = await api(c.node.url, c.node.credentials!.agents[0].api_key, "POST", "/api/v1/inventory", {
    server,
    tools: [{ name: "send_mail", description: "Send an email.", inputSchema: { type: "object", properties: { to: { type: "string" } } } }],
  });
  expect(report.status).toBe(200);

  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  await page.goto(`/agents/${agent.name}`);
  await page.getByLabel("Reason").fill("e2e: odd traffic");
  await page.getByRole("button", { name: "Suspend agent" }).click();
  await expect(page.getByRole("note")).toContainText("Suspended");
  await expect(page.getByRole("note")).toContainText("e2e: odd traffic");
  // An analyst may not lift it: the form is gone.
  await expect(page.getByRole("button", { name: "Lift suspension" })).toHaveCount(0);

  await page.goto(`/tools/${server}/send_mail`);
  await page.getByLabel("Reason").fill("e2e: stop it");
  await page.getByRole("button", { name: "Block now" }).click();
  await expect(page.getByRole("note")).toContainText("Blocked");

  const admin = await c.pageAs("admin");
  await admin.goto(`/agents/${agent.name}`);
  await admin.getByLabel("Reason").fill("e2e: cleared");
  await admin.getByRole("button", { name: "Lift suspension" }).click();
  await expect(admin.getByRole("button", { name: "Suspend agent" })).toBeVisible();
  await admin.goto(`/tools/${server}/send_mail`);
  await admin.getByLabel("Reason").fill("e2e: safe again");
  await admin.getByRole("button", { name: "Unblock" }).click();
  await expect(admin.getByRole("button", { name: "Block now" })).toBeVisible();

  const by = `user:${analyst.email}`;
  expect(await actors(["agent.suspend", "agent.unsuspend"], agent.name, null)).toEqual([
    { action: "agent.suspend", actor: by },
    { action: "agent.unsuspend", actor: expect.stringMatching(/^user:.+@/) },
  ]);
  expect(await actors(["tool.block", "tool.unblock"], null, `${server}/send_mail`)).toEqual([
    { action: "tool.block", actor: by },
    { action: "tool.unblock", actor: expect.stringMatching(/^user:.+@/) },
  ]);
});
