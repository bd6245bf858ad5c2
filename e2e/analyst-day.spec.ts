/**
 * An analyst's day (issue 16, "Measured"), in one run through the console: triage the riskiest session
 * by its score ("Needs me now", riskiest first by default), open its deny in the drawer, share that link
 * and open it signed out then signed in (it survives sign-in), decide three approvals by keyboard while
 * another user decides a fourth (nothing moves under the pointer); then the admin's part: a stored test
 * made from that deny blocks a publish that would allow it, published with an audited override note, and
 * rolled back with a reason. Its own agent, users and sessions (never the seeded agents: other specs'
 * load and per-minute rate limits). Fails on any page error, console error or CSP violation (the
 * fixtures fail the test on a violation).
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";
import { decide, sql } from "./fixtures/analyst.ts";
import { setPolicyText } from "./support/editor.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";
import { openQueueTable, otherReviewer, rowBoxes } from "./support/approvals-queue.ts";
import { api } from "../test/support/mandate.ts";

test("an analyst's day: triage, a shared deny, approvals by keyboard, a guarded publish, a rollback", async ({ console: c, browser }) => {
  // A whole day in one test: ~50 s on an idle machine, up to ~2 min on the shared 2-core one at load 20.
  test.setTimeout(180_000);
  const agent = await c.node.createAgent(`day-${randomUUID().slice(0, 6)}`);
  const key = agent.apiKey;
  const tag = `e2e-day-${randomUUID().slice(0, 8)}`;
  const risky = `${tag}-risky`;
  const email = { to: "x@example.org", subject: "s", body: "b" };
  // The riskiest: reads PII, ingests untrusted content, then two sends are denied; a calm one beside it.
  await decide(c.node, key, risky, "crm/get_customer", { customer_id: "c-1" });
  await decide(c.node, key, risky, "web/fetch_url", { url: "https://example.com/" });
  const deny = await decide(c.node, key, risky, "mail/send_email", email);
  expect(deny.decision).toBe("deny");
  expect((await decide(c.node, key, risky, "mail/send_email", email)).decision).toBe("deny");
  await decide(c.node, key, `${tag}-calm`, "files/read_file", { path: "a.txt" });
  // Four approvals waiting, each in a session of its own.
  for (let k = 0; k < 4; k++)
    expect((await decide(c.node, key, `${tag}-ap-${k}`, "files/delete_file", { path: `day/${k}` })).decision).toBe("require_approval");
  const ids = (await sql<{ id: string }>(`SELECT id FROM approvals WHERE session_id LIKE $1 ORDER BY expires_at, id`, [`${tag}-ap-%`])).map((r) => r.id);
  expect(ids).toHaveLength(4);

  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  const errors = collectPageErrors(page);

  // 1. Triage: "Needs me now" lists the riskiest first, by its score.
  await page.goto(`/triage?q=${tag}`);
  const rows = page.locator("tbody tr");
  await expect(rows.first().getByRole("link", { name: risky })).toBeVisible();
  const scores = (await rows.getByTestId("risk-score").allTextContents()).map((t) => Number(/^\d+/.exec(t)![0]));
  expect(scores.length).toBeGreaterThan(1);
  expect(scores[0]).toBeGreaterThan(scores[1]);
  await rows.first().getByRole("link", { name: risky }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${risky}$`));

  // 2. Its first deny in the drawer ("Next deny", key n).
  await hydrated(page, '[data-testid="timeline-chips"] button');
  await page.getByTestId("timeline").focus();
  await page.keyboard.press("n");
  const details = page.getByRole("dialog").getByTestId("step-details");
  await expect(details).toHaveAttribute("data-step", "3");
  await expect(page.getByRole("dialog")).toContainText("lethal-trifecta");
  const link = page.url();
  expect(link).toMatch(/[?&]step=3$/);

  // 3. The link, shared: opened signed out it asks for sign-in, then shows the same drawer.
  const outside = await (await browser.newContext({ baseURL: c.node.url })).newPage();
  const outsideErrors = collectPageErrors(outside);
  await outside.goto(link);
  await expect(outside).toHaveURL(/\/login\?/);
  await outside.getByLabel("Email").fill(analyst.email);
  await outside.getByLabel("Password").fill(analyst.password);
  await outside.getByLabel("Password").press("Enter");
  await expect(outside).toHaveURL(link);
  await expect(outside.getByRole("dialog").getByTestId("step-details")).toHaveAttribute("data-step", "3");
  await outside.context().close();
  expect(outsideErrors).toEqual([]);

  // 4. Three approvals by keyboard while another user decides the fourth: no row moves under the pointer.
  const other = await otherReviewer();
  // The layout is stored for the user: a reload opens the table (and leaves nothing of the switch above it).
  const row = await openQueueTable(page, `${tag}-ap-`);
  await expect(page.locator("[data-queue-item]")).toHaveCount(4);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const box = (await row(ids[3]).boundingBox())!;
  const pointer = { x: box.x + 20, y: box.y + box.height / 2 };
  await page.mouse.move(pointer.x, pointer.y);
  const before = await rowBoxes(page);
  const under = () =>
    page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest<HTMLElement>("[data-queue-item]")?.dataset.approvalId ?? null, [pointer.x, pointer.y]);
  expect(await under()).toBe(ids[3]);
  await page.keyboard.press("j");
  await page.keyboard.press("a");
  await page.keyboard.press("y");
  await expect(row(ids[0])).toContainText("Approved by you");
  expect((await api(c.node.url, other.token, "POST", `/api/v1/approvals/${ids[3]}/decision`, { decision: "deny", comment: "not today" })).status).toBe(200);
  await page.keyboard.press("j");
  await page.keyboard.press("d");
  await page.keyboard.press("Enter");
  await expect(row(ids[1])).toContainText("Denied by you");
  await page.keyboard.press("j");
  await page.keyboard.press("a");
  await page.keyboard.press("y");
  await expect(row(ids[2])).toContainText("Approved by you");
  await expect(row(ids[3])).toContainText(`Decided elsewhere by ${other.email}: denied`, { timeout: 15_000 });
  expect(await rowBoxes(page)).toEqual(before);
  expect(await under()).toBe(ids[3]);
  expect(errors).toEqual([]);

  // 5. The admin: a stored test from that deny ("stays denied") blocks a publish that would allow it.
  const [active] = await sql<{ version: number; text: string }>(`SELECT version, text FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'`);
  const admin = await c.pageAs("admin");
  const adminErrors = collectPageErrors(admin);
  let draft: number | null = null;
  try {
    await admin.goto(`/sessions/${risky}?step=3`);
    await admin.getByRole("dialog").getByRole("link", { name: "Create policy test" }).click();
    const form = admin.getByTestId("test-from-decision");
    await hydrated(admin, '[data-testid="test-from-decision"] button');
    const name = `${tag}: a send after the trifecta stays denied`;
    await form.getByLabel("Test name").fill(name);
    await form.getByRole("button", { name: "Save as stored test" }).click();
    const savedMsg = form.getByRole("status").filter({ hasText: "Saved with the stored tests as draft v" });
    await expect(savedMsg).toBeVisible();
    draft = Number(/draft v(\d+)/.exec((await savedMsg.textContent())!)![1]);
    await form.getByRole("link", { name: "Open it in the policy editor" }).click();
    await expect(admin.getByText(`Editing: draft v${draft}`)).toBeVisible();
    const relaxed = active.text.replace(/@id\("lethal-trifecta"\)[\s\S]*?\n\};\n/, "");
    expect(relaxed).not.toBe(active.text);
    await setPolicyText(admin, relaxed);
    await expect(admin.getByTestId("validation-status")).toContainText("Valid");
    await admin.getByLabel("Note (why this change)").fill(`${tag}: mail unblocked`);
    await admin.getByRole("button", { name: "Publish…" }).click();
    // The publish dialog runs the stored tests first: the failing one is named, and publishing takes an override note.
    const guard = admin.getByRole("dialog");
    await expect(guard.locator('[data-testid="publish-test"][data-pass="false"]')).toContainText(`${name} — expected deny, got allow`);
    await expect(guard.getByRole("button", { name: "Publish anyway" })).toBeDisabled();
    await guard.getByLabel(/Override note/).fill(`${tag}: the incident needs mail now`);
    await guard.getByRole("button", { name: "Publish anyway" }).click();
    await expect(admin.getByRole("status").filter({ hasText: "Published" })).toBeVisible();
    // The override is audited with the failing case's name.
    const overrides = await sql<{ failing: string[] }>(
      `SELECT data->'failing_tests' AS failing FROM audit_entries WHERE kind = 'admin' AND action = 'policy.publish' AND data->>'override_note' = $1`,
      [`${tag}: the incident needs mail now`],
    );
    expect(overrides).toHaveLength(1);
    expect(overrides[0].failing).toContain(name);

    // 6. …and rolled back with a reason: the earlier version decides again.
    await admin.goto("/policies/versions");
    await admin.getByRole("button", { name: `Roll back to v${active.version}…` }).click();
    const dialog = admin.getByRole("dialog");
    await expect(dialog.getByRole("button", { name: `Activate v${active.version}` })).toBeDisabled();
    await dialog.getByLabel("Reason (required)").fill(`${tag}: the incident is over`);
    await dialog.getByRole("button", { name: `Activate v${active.version}` }).click();
    await expect(admin.locator(`tr[data-version="${active.version}"]`)).toHaveAttribute("data-status", "active");
    expect(adminErrors).toEqual([]);
  } finally {
    // The node is shared with other specs: the day's policy goes back, and the draft goes.
    const [now] = await sql<{ text: string }>(`SELECT text FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'`);
    if (now.text !== active.text) await c.node.publishPolicy(active.text);
    if (draft !== null) await sql(`DELETE FROM policy_versions WHERE store_id = 'mcp' AND version = $1 AND status = 'draft'`, [draft]);
  }
});
