/**
 * The approvals queue: a pending approval appears without a reload, with its session context and an
 * expiry countdown; approving it lets the agent's retried call through (the decision API then allows
 * it); a decided approval shows who decided and when; a viewer cannot approve, even with a forged request.
 */
import { randomUUID } from "node:crypto";
import { test, expect } from "./support/fixtures.ts";
import { agentKey, decide, sql } from "./fixtures/analyst.ts";

const KEY = "ops-agent";

test("approving a pending approval in the queue lets the waiting call through", async ({ console: c }) => {
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  await page.goto("/approvals");
  const key = agentKey(c.node, KEY);
  const session = `e2e-approve-${randomUUID().slice(0, 8)}`;
  await decide(c.node, key, session, "files/read_file", { path: "report.md" });
  const held = await decide(c.node, key, session, "files/delete_file", { path: "data/customers.csv" });
  expect(held.decision).toBe("require_approval");

  // Appears by itself (the page polls), with what happened before it and a countdown.
  const card = page.locator(`[data-testid="pending-approval"][data-approval-id="${held.approval!.id}"]`);
  await expect(card).toBeVisible({ timeout: 10_000 });
  await expect(card).toContainText("files/delete_file");
  await expect(card).toContainText("destructive-needs-approval");
  await expect(card).toContainText("files/read_file"); // step 1, the context before this step
  await expect(card).toContainText(/expires in \d+ (min|s)/);
  await expect(card).toContainText("data/customers.csv");

  await card.getByLabel("Comment (recorded with your decision)").fill("cleanup requested in ticket 42");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText(/Approved: the agent's retried call/)).toBeVisible();
  await expect(card).toHaveCount(0);
  const decided = page.getByTestId("decided-approvals").locator(`[data-approval-id="${held.approval!.id}"]`);
  await expect(decided).toContainText(analyst.email);
  await expect(decided).toContainText("approved");
  await expect(decided).toContainText("cleanup requested in ticket 42");

  // The agent retries the same call with the same arguments: now allowed, once.
  const retry = await decide(c.node, key, session, "files/delete_file", { path: "data/customers.csv" });
  expect(retry.decision).toBe("allow");
  expect(retry.reasons[0].policy).toBe("mandate.approval");
  const again = await decide(c.node, key, session, "files/delete_file", { path: "data/customers.csv" });
  expect(again.decision).toBe("require_approval");
  const audit = await sql(`SELECT actor, data FROM audit_entries WHERE kind = 'approval' AND decision_id = $1`, [held.decision_id]);
  expect(audit.map((a) => a.actor)).toContain(`user:${analyst.email}`);
});

test("denying keeps the call blocked, and the approval page shows who decided", async ({ console: c }) => {
  const key = agentKey(c.node, KEY);
  const session = `e2e-deny-${randomUUID().slice(0, 8)}`;
  const held = await decide(c.node, key, session, "files/delete_file", { path: "x.bin" });
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  await page.goto(`/approvals/${held.approval!.id}`);
  await expect(page.getByTestId("approval-status")).toHaveText("pending");
  await page.getByLabel("Comment (recorded with your decision)").fill("no");
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page.getByTestId("approval-status")).toHaveText("denied");
  await expect(page.getByText(`${analyst.email} at`)).toBeVisible();
  expect((await decide(c.node, key, session, "files/delete_file", { path: "x.bin" })).decision).toBe("require_approval");
});

test("a viewer cannot approve, even with a forged request", async ({ console: c }) => {
  const key = agentKey(c.node, KEY);
  const session = `e2e-viewer-${randomUUID().slice(0, 8)}`;
  const held = await decide(c.node, key, session, "files/delete_file", { path: "y.bin" });
  const viewer = await c.newUser("viewer");
  const page = await c.pageAs(viewer);
  await page.goto("/approvals");
  const card = page.locator(`[data-testid="pending-approval"][data-approval-id="${held.approval!.id}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await expect(card).toContainText("Deciding approvals needs the analyst or admin role.");

  // Forged: the viewer's own session cookie, straight to the decision endpoint (from the console's origin,
  // so that the role, not the same-origin rule, is what refuses it).
  const r = await fetch(`${c.node.url}/api/v1/approvals/${held.approval!.id}/decision`, {
    method: "POST",
    headers: { cookie: await c.cookieOf(viewer), origin: c.node.url, "content-type": "application/json" },
    body: JSON.stringify({ decision: "approve", comment: "forged" }),
  });
  expect(r.status).toBe(403);
  expect((await sql(`SELECT status, decided_by FROM approvals WHERE id = $1`, [held.approval!.id]))[0]).toEqual({ status: "pending", decided_by: null });
  expect((await decide(c.node, key, session, "files/delete_file", { path: "y.bin" })).decision).toBe("require_approval");
});
