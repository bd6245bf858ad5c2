/**
 * Issue 16 §6: the policy editor completes the schema's entity types, actions and attributes (a listbox:
 * arrows, Enter or Tab to accept, Esc to close) and a validation problem jumps to its line; a recorded
 * decision becomes a policy test (a decision's drawer → "Create policy test": the recorded request and
 * outcome, run by an analyst, saved with the stored tests by an admin). No page error, console error
 * or CSP violation (the fixtures fail the test on a violation).
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures.ts";
import { pressInCompletion, setPolicyText } from "./support/editor.ts";
import { sql, trifectaSession } from "./fixtures/analyst.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

/** The editor's text, line by line (its document is short enough to be rendered whole). */
const editorText = (page: Page) => page.locator(".cm-content .cm-line").evaluateAll((els) => els.map((el) => el.textContent ?? "").join("\n"));

test("completion from the schema; a problem jumps to its line", async ({ console: c }) => {
  const page = await c.pageAs("admin");
  const errors = collectPageErrors(page);
  await page.goto("/policies");
  await expect(page.getByTestId("validation-status")).toBeVisible();
  // Eight lines; line 7 compares a Long with a String (a type error the validator places there).
  const lines = [
    '@id("ok")',
    "permit (principal, action, resource)",
    "when { resource.riskLevel <= 1 };",
    "",
    '@id("typo")',
    "permit (principal, action, resource)",
  ];
  await setPolicyText(page, [...lines, 'when { resource.riskLevel == "high" };', ""].join("\n"));
  const problem = page.getByTestId("problem").first();
  await expect(problem).toHaveAttribute("data-line", "7");
  await problem.getByRole("button", { name: /^Go to line 7:/ }).click();
  const editor = page.getByRole("textbox", { name: "Cedar policy set" });
  await expect(editor).toBeFocused();
  const jumped = page.getByTestId("jump-line");
  await expect(jumped).toHaveCount(1);
  await expect(jumped).toHaveText('when { resource.riskLevel == "high" };');
  await expect(jumped).toHaveClass(/cm-activeLine/); // the cursor is on it
  await expect(jumped).toBeInViewport();
  // Typing there edits line 7 and clears the mark.
  await page.keyboard.press("End");
  await page.keyboard.type(" // checked");
  await expect(jumped).toHaveCount(0);
  expect((await editorText(page)).split("\n")[6]).toBe('when { resource.riskLevel == "high" }; // checked');

  // Completion: attributes after `context.` and deeper, from the schema the server validates against.
  await page.keyboard.press("Control+End");
  await page.keyboard.type('@id("typed")\nforbid (principal, action == Action::"tools/');
  const list = page.getByRole("listbox");
  await expect(list.getByRole("option", { name: "tools/call" })).toBeVisible();
  await expect(list.getByRole("option", { name: "resources/read" })).toHaveCount(0);
  await page.keyboard.type("ca");
  await expect(list.getByRole("option").first()).toHaveText(/^tools\/call/);
  await pressInCompletion(page, "Enter");
  await expect(list).toHaveCount(0);
  await page.keyboard.type('", resource)\nwhen { context.');
  await expect(list.getByRole("option", { name: /^session/ })).toBeVisible();
  await expect(list.getByRole("option", { name: /^counters/ })).toBeVisible();
  await page.keyboard.type("ses");
  await expect(list.getByRole("option")).toHaveCount(1);
  await pressInCompletion(page, "Tab"); // Tab accepts while the list is open
  await page.keyboard.type(".lab");
  // observedLabels fuzzy-matches too; labels first.
  await expect(list.getByRole("option").first()).toHaveText(/^labels/);
  await pressInCompletion(page, "Enter");
  await page.keyboard.type('.contains("pii") && principal.');
  await expect(list.getByRole("option", { name: /^environment/ })).toBeVisible();
  await pressInCompletion(page, "ArrowDown");
  await expect(list.getByRole("option", { selected: true })).toHaveText(/^name/);
  await page.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  await page.keyboard.type('team == "x" && resource is ');
  await expect(list.getByRole("option", { name: /^Tool/ })).toBeVisible();
  await page.keyboard.press("Escape");
  await page.keyboard.type("Tool && context.args has to };\n");
  const text = await editorText(page);
  expect(text).toContain('forbid (principal, action == Action::"tools/call", resource)');
  expect(text).toContain('when { context.session.labels.contains("pii") && principal.team == "x" && resource is Tool && context.args has to };');
  // Everything completion wrote validates (line 7's error remains the only problem).
  await expect(page.getByTestId("problem")).toHaveCount(1);
  await expect(page.getByTestId("problem")).toHaveAttribute("data-line", "7");
  // Tab without a list open leaves the editor (no keyboard trap).
  await page.keyboard.press("Tab");
  await expect(editor).not.toBeFocused();
  expect(errors).toEqual([]);
});

test("a recorded decision becomes a policy test: analysts run it, an admin stores it", async ({ console: c }) => {
  const agent = await c.node.createAgent(`tests-${randomUUID().slice(0, 6)}`);
  const { id: session, steps } = await trifectaSession(c.node, agent.apiKey);
  const deny = steps[2];
  expect(deny.decision).toBe("deny");

  // An analyst, from the step's drawer: the case holds the request as recorded; running it passes.
  const analyst = await c.pageAs("analyst");
  const errors = collectPageErrors(analyst);
  await analyst.goto(`/sessions/${session}?step=3`);
  await analyst.getByRole("dialog").getByRole("link", { name: "Create policy test" }).click();
  await expect(analyst).toHaveURL(new RegExp(`/policies/tests/new\\?decision=${deny.decision_id}$`));
  const form = analyst.getByTestId("test-from-decision");
  await hydrated(analyst, '[data-testid="test-from-decision"] button');
  await expect(form.getByLabel("Test name")).toHaveValue(`deny mail/send_email (decision ${deny.decision_id.slice(0, 8)})`);
  await expect(form.getByLabel("Expected outcome")).toHaveValue("deny");
  const request = JSON.parse(await form.getByLabel("Request (as recorded)").inputValue());
  expect(request).toMatchObject({
    agent: agent.name,
    tool: "mail/send_email",
    action: "tools/call",
    arguments: { to: "x@example.org", subject: "data", body: "customer data" },
    session: { labels: ["pii", "untrusted_content"], tools_used: ["crm/get_customer", "web/fetch_url"], steps: 2 },
  });
  await form.getByRole("button", { name: "Run test" }).click();
  await expect(form.getByTestId("test-run")).toContainText("PASS: expected deny, got deny");
  await expect(form.getByRole("button", { name: "Save as stored test" })).toHaveCount(0);
  await expect(form).toContainText("Only admins save stored tests");
  // Expecting allow instead fails, naming the policy that denies.
  await form.getByLabel("Expected outcome").selectOption("allow");
  await form.getByRole("button", { name: "Run test" }).click();
  await expect(form.getByTestId("test-run")).toContainText("FAIL: expected allow, got deny");
  expect(errors).toEqual([]);

  // An admin, from the audit entry's drawer: renames it and stores it (a draft with the active text).
  const [entry] = await sql<{ chain_id: string; seq: number }>(`SELECT chain_id, seq FROM audit_entries WHERE decision_id = $1 AND kind = 'decision'`, [
    deny.decision_id,
  ]);
  const admin = await c.pageAs("admin");
  const adminErrors = collectPageErrors(admin);
  await admin.goto(`/audit?entry=${entry.chain_id}:${entry.seq}`);
  await admin.getByRole("dialog").getByRole("link", { name: "Create policy test" }).click();
  const aform = admin.getByTestId("test-from-decision");
  await hydrated(admin, '[data-testid="test-from-decision"] button');
  const name = `e2e trifecta send stays denied ${randomUUID().slice(0, 6)}`;
  await aform.getByLabel("Test name").fill(name);
  await aform.getByRole("button", { name: "Save as stored test" }).click();
  const saved = aform.getByRole("status").filter({ hasText: "Saved with the stored tests as draft v" });
  await expect(saved).toBeVisible();
  const version = Number(/draft v(\d+)/.exec((await saved.textContent())!)![1]);
  try {
    const [row] = await sql<{ status: string; tests: Array<Record<string, unknown>>; text: string }>(
      `SELECT status, tests, text FROM policy_versions WHERE store_id = 'mcp' AND version = $1`,
      [version],
    );
    const [active] = await sql<{ text: string }>(`SELECT text FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'`);
    expect(row.status).toBe("draft");
    expect(row.text).toBe(active.text);
    expect(row.tests.find((t) => t.name === name)).toMatchObject({ ...request, expect: "deny" });
    // The editor opens that draft, its Tests tab runs the stored case.
    await aform.getByRole("link", { name: "Open it in the policy editor" }).click();
    await expect(admin.getByText(`Editing: draft v${version}`)).toBeVisible();
    await admin.getByRole("tab", { name: "Tests" }).click();
    await admin.getByRole("button", { name: "Run tests" }).click();
    await expect(admin.locator('[data-testid="test-result"]').filter({ hasText: name })).toHaveAttribute("data-pass", "true");
  } finally {
    // Other specs on this node open the latest draft: it goes.
    await sql(`DELETE FROM policy_versions WHERE store_id = 'mcp' AND version = $1 AND status = 'draft'`, [version]);
  }
  expect(adminErrors).toEqual([]);

  // A viewer is not offered the action.
  const viewer = await c.pageAs("viewer");
  await viewer.goto(`/sessions/${session}?step=3`);
  await expect(viewer.getByRole("dialog").getByTestId("step-details")).toBeVisible();
  await expect(viewer.getByRole("link", { name: "Create policy test" })).toHaveCount(0);
});
