/**
 * Sessions: the filtered list, a session's timeline (why step 3 was denied: the labels the session had
 * read before it), the delegation graph with an edge that lists its steps, and acting on what you see
 * (terminating the session is audited and takes effect on the next call).
 */
import { test, expect } from "./support/fixtures.ts";
import { agentKey, decide, sql, trifectaSession } from "./fixtures/analyst.ts";

test("the session list filters by outcome and opens a session's timeline with the reason and the labels so far", async ({ console: c }) => {
  const denied = await trifectaSession(c.node);
  const clean = `e2e-clean-${Date.now()}`;
  await decide(c.node, agentKey(c.node), clean, "files/read_file", { path: "a.txt" });
  const page = await c.pageAs("analyst");

  await page.goto("/sessions?outcome=denied");
  await expect(page.getByRole("link", { name: denied.id })).toBeVisible();
  await expect(page.getByRole("link", { name: clean })).toHaveCount(0);
  // The count of the filters (issue 16 §2): a search for one session's id finds one.
  await page.goto(`/sessions?outcome=denied&q=${denied.id}`);
  await expect(page.getByTestId("result-count")).toHaveText("1 result");
  await page.goto("/sessions?outcome=clean");
  await expect(page.getByRole("link", { name: clean })).toBeVisible();
  await expect(page.getByRole("link", { name: denied.id })).toHaveCount(0);

  // Keyboard: the filter bar and the rows are reachable and a session opens with Enter.
  await page.goto("/sessions?outcome=denied");
  await page.getByRole("link", { name: denied.id }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/sessions/${denied.id}$`));

  const step3 = page.locator('[data-testid="timeline-step"][data-step="3"]');
  await expect(step3).toContainText("mail/send_email");
  await expect(step3).toContainText("lethal-trifecta");
  await expect(step3).toContainText("deny");
  await step3.getByRole("button", { name: /Step 3/ }).click();
  // Why: before step 3 the session had read pii and ingested untrusted content (in the step's drawer).
  const details = page.getByRole("dialog").getByTestId("step-details");
  await expect(details).toHaveAttribute("data-step", "3");
  await expect(details.getByText("Labels before → after")).toBeVisible();
  await expect(details).toContainText("pii");
  await expect(details).toContainText("untrusted_content");
  await expect(details).toContainText("mcp@v1");
  // Arguments are shown as stored: the secret of step 2 never reaches the page.
  const step2 = page.locator('[data-testid="timeline-step"][data-step="2"]');
  await step2.getByRole("button", { name: /Step 2/ }).click();
  await expect(details).toHaveAttribute("data-step", "2");
  await expect(details).toContainText("Arguments (as stored, redacted)");
  await expect(page.locator("body")).not.toContainText("a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
  await expect(page.getByTestId("delegation-chain")).toContainText("alice@example.com");
});

test("another agent's attempts in a session are listed apart as foreign attempts, not as its steps", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const ops = agentKey(c.node, "ops-agent");
  const attempt = await decide(c.node, ops, s.id, "files/read_file", { path: "secrets.txt" });
  expect(attempt.decision).toBe("deny");
  expect(attempt.session).toEqual({ id: s.id, step: null });
  expect((await decide(c.node, agentKey(c.node), s.id, "files/read_file", { path: "a" })).session.step).toBe(4);
  const page = await c.pageAs("analyst");
  await page.goto(`/sessions/${s.id}`);
  await expect(page.getByTestId("timeline-step")).toHaveCount(4);
  await expect(page.getByTestId("timeline")).not.toContainText("ops-agent");
  const foreign = page.getByTestId("foreign-attempts");
  await expect(foreign.getByRole("heading")).toHaveText("Foreign attempts (1)");
  await expect(foreign.getByTestId("foreign-attempt")).toHaveCount(1);
  await expect(foreign).toContainText("files/read_file");
  await expect(foreign).toContainText("ops-agent");
  await expect(foreign).toContainText("mandate.session_not_owned");
});

test("the delegation graph colours edges by outcome and a clicked edge lists its steps", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const page = await c.pageAs("viewer");
  await page.goto(`/sessions/${s.id}/graph`);
  await expect(page.getByTestId("delegation-graph")).toContainText("support-assistant");
  await expect(page.getByTestId("delegation-graph")).toContainText("mail/send_email");
  // A user clicks the edge's label (or its line): the label is part of the edge.
  await page.locator(".react-flow__edge").filter({ hasText: "1 denied" }).first().locator(".react-flow__edge-textwrapper").click();
  const panel = page.getByTestId("edge-steps");
  await expect(panel).toContainText("mail/send_email: 1 denied");
  await expect(panel.getByRole("link", { name: "#3" })).toBeVisible();
});

test("an analyst terminates a session with a reason: audited, and the next call in it is denied", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const page = await c.pageAs("analyst");
  await page.goto(`/sessions/${s.id}`);
  const box = page.getByTestId("terminate-session");
  await box.locator("summary").click();
  await box.getByLabel("Reason (recorded in the audit log)").fill("tried to mail customer data out");
  await box.getByRole("button", { name: "Terminate session" }).click();
  await expect(page.getByText(/Terminated .* tried to mail customer data out/)).toBeVisible();
  const audit = await sql(`SELECT actor, data FROM audit_entries WHERE action = 'session.terminate' AND session_id = $1`, [s.id]);
  expect(audit).toHaveLength(1);
  expect(audit[0].data.reason).toBe("tried to mail customer data out");
  const next = await decide(c.node, agentKey(c.node), s.id, "files/read_file", { path: "a" });
  expect(next.decision).toBe("deny");
  expect(next.reasons[0].policy).toBe("mandate.session_terminated");
});

test("a viewer sees no operator controls and cannot terminate with a forged request", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const viewer = await c.newUser("viewer");
  const page = await c.pageAs(viewer);
  await page.goto(`/sessions/${s.id}`);
  await expect(page.getByText(/Viewers can review sessions/)).toBeVisible();
  await expect(page.getByTestId("terminate-session")).toHaveCount(0);
  const r = await fetch(`${c.node.url}/api/v1/sessions/${s.id}/terminate`, {
    method: "POST",
    headers: { cookie: await c.cookieOf(viewer), origin: c.node.url, "content-type": "application/json" },
    body: JSON.stringify({ reason: "forged" }),
  });
  expect(r.status).toBe(403);
  expect((await sql(`SELECT status FROM sessions WHERE id = $1`, [s.id]))[0].status).toBe("active");
});

test("an analyst grants an agent delegated authority without typing any secret: the token is audited, shown once, usable by that agent only, and revocable", async ({
  console: c,
}) => {
  const s = await trifectaSession(c.node);
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  await page.goto(`/sessions/${s.id}`);
  // Bad input is a specific 4xx and stores nothing (same-origin calls, as the form makes them).
  const post = (body: unknown) =>
    page.evaluate(
      async ([path, b]) => (await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) })).status,
      [`/api/v1/sessions/${encodeURIComponent(s.id)}/delegations`, body] as const,
    );
  expect(await post({ agent: "no-such-agent", scope: "tool:crm/*" })).toBe(404);
  expect(await post({ agent: "support-assistant", scope: "crm" })).toBe(400);
  expect(await post({ agent: "support-assistant", scope: "tool:crm/*", expires_in: 0 })).toBe(400);
  expect(await post({ agent: "support-assistant", scope: "tool:crm/*", subject_token: "x" })).toBe(400);
  expect(await sql(`SELECT id FROM delegations WHERE session_id = $1`, [s.id])).toEqual([]);
  const form = page.getByTestId("grant-form");
  await form.locator("summary").click();
  // No secret is asked for: neither a personal token nor an agent's key.
  await expect(form.locator('input[type="password"]')).toHaveCount(0);
  await form.getByLabel("Agent receiving your authority").fill("support-assistant");
  await form.getByLabel("crm/get_customer").check();
  await form.getByLabel("Lifetime (minutes, at most 1440)").fill("30");
  await form.getByRole("button", { name: "Grant" }).click();
  const token = await form.getByTestId("secret-value").textContent();
  expect(token).toMatch(/^ey/);
  const [d] = await sql(`SELECT id, subject, scopes, depth, created_by FROM delegations WHERE session_id = $1`, [s.id]);
  expect(d).toMatchObject({ subject: analyst.email, scopes: ["tool:crm/get_customer"], depth: 1 });
  expect(d.created_by).toMatch(/^console:user:/);
  const [issued] = await sql(`SELECT actor, data FROM audit_entries WHERE action = 'delegation.issue' AND session_id = $1`, [s.id]);
  expect(issued.actor).toBe(`user:${analyst.email}`);
  expect(issued.data).toMatchObject({ jti: d.id, to: "support-assistant", on_behalf_of: analyst.email, scopes: ["tool:crm/get_customer"] });
  // The agent acts under the grant: inside the scope allowed, outside it denied; another agent cannot present it.
  const api = (await import("../test/support/mandate.ts")).api;
  const call = (tool: string, key = agentKey(c.node)) =>
    api(c.node.url, key, "POST", "/api/v1/decisions", {
      session: { id: s.id },
      tool: { server: tool.split("/")[0], name: tool.split("/")[1] },
      arguments: { customer_id: "c-1" },
      delegation_token: token,
    });
  expect((await call("crm/get_customer")).body.decision).toBe("allow");
  expect((await call("files/read_file")).body.reasons[0].policy).toBe("mandate.scope_exceeded");
  const stolen = (await call("crm/get_customer", agentKey(c.node, "ops-agent"))).body;
  expect(stolen.decision).toBe("deny");
  expect(stolen.reasons[0]).toMatchObject({ policy: "mandate.delegation_invalid", message: expect.stringContaining("issued to agent support-assistant") });
  // Revoked from the session page: the next call with the token is refused.
  await page.reload();
  const chain = page.getByTestId("delegation-chain");
  await expect(chain).toContainText("tool:crm/get_customer");
  await chain.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("button", { name: "Revoke delegation" }).click();
  await expect(chain).toContainText("revoked");
  const revoked = (await call("crm/get_customer")).body;
  expect(revoked.decision).toBe("deny");
  expect(revoked.reasons[0].policy).toBe("mandate.delegation_invalid");
});
