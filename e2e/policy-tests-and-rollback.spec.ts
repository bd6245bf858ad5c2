import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_POLICY, ROOT } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";
import { setPolicyText } from "./support/editor.ts";

const TESTS = [
  { name: "support reads a customer", agent: "support-assistant", tool: "crm/get_customer", arguments: { customer_id: "c-1" }, expect: "allow" },
  {
    name: "no mail after the trifecta",
    agent: "support-assistant",
    tool: "mail/send_email",
    session: { labels: ["pii", "untrusted_content"] },
    expect: "deny",
  },
  { name: "deleting needs approval", agent: "ops-agent", tool: "files/delete_file", arguments: { path: "x" }, expect: "require_approval" },
];

test("stored test cases run in the page; publish and rollback ask for confirmation", async ({ console: c }) => {
  const page = await c.pageAs("admin");
  await page.goto("/policies");
  const tightened = `${DEFAULT_POLICY}\n@id("no-crm")\n@reason("no CRM reads this week")\nforbid (principal, action, resource) when { resource.server == "crm" };\n`;
  await setPolicyText(page, tightened);
  // The tabs work from the keyboard (arrow keys move between them).
  await page.getByRole("tab", { name: "Diff vs active" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Tests" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "Tests" })).toBeFocused();
  await page.getByLabel("Test cases (JSON)").fill(JSON.stringify(TESTS, null, 2));
  await page.getByRole("button", { name: "Run tests" }).click();
  await expect(page.getByTestId("test-summary")).toHaveText("2 passed, 1 failed");
  await expect(page.locator('[data-testid="test-result"][data-pass="false"]')).toContainText("no-crm");

  await page.getByLabel("Note (why this change)").fill("e2e: block CRM");
  await page.getByRole("button", { name: "Publish…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("diff")).toContainText('forbid (principal, action, resource) when { resource.server == "crm" };');
  // A case fails: the dialog names it, and publishing needs an override note that says why (audited).
  await expect(dialog.locator('[data-testid="publish-test"][data-pass="false"]')).toContainText("support reads a customer — expected allow, got deny");
  await expect(dialog.getByRole("button", { name: "Publish anyway" })).toBeDisabled();
  await dialog.getByLabel(/Override note/).fill("e2e: CRM is down this week, reads must stop");
  await dialog.getByRole("button", { name: "Publish anyway" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published" })).toBeVisible();

  await page.goto("/policies/versions");
  const active = page.locator('tr[data-status="active"]');
  await expect(active).toContainText("e2e: block CRM");
  const previous = page.locator('tr[data-status="archived"]').first();
  const v = await previous.getAttribute("data-version");
  await previous.getByRole("button", { name: `Roll back to v${v}…` }).click();
  await expect(page.getByRole("dialog")).toContainText("replaces");
  // The rollback needs a reason.
  await expect(page.getByRole("dialog").getByRole("button", { name: `Activate v${v}` })).toBeDisabled();
  await page.getByRole("dialog").getByLabel("Reason (required)").fill("e2e: CRM is back");
  await page
    .getByRole("dialog")
    .getByRole("button", { name: `Activate v${v}` })
    .click();
  await expect(page.locator(`tr[data-version="${v}"]`)).toHaveAttribute("data-status", "active");
});

test("mandate policy test: exit 0 when every case passes, 1 on a failure or an invalid policy set", async ({ console: c }) => {
  const dir = mkdtempSync(join(tmpdir(), "policy-test-"));
  const run = (policy: string, tests: unknown) => {
    writeFileSync(join(dir, "p.cedar"), policy);
    writeFileSync(join(dir, "t.json"), JSON.stringify(tests));
    return spawnSync(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "policy", "test", join(dir, "p.cedar"), "--tests", join(dir, "t.json")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, DATABASE_URL: c.node.databaseUrl, MANDATE_DATA_DIR: c.node.dataDir },
    });
  };
  const pass = run(DEFAULT_POLICY, TESTS);
  expect(pass.stdout).toContain("3 passed, 0 failed");
  expect(pass.status).toBe(0);
  const fail = run(`${DEFAULT_POLICY}\n@id("no-crm") forbid (principal, action, resource) when { resource.server == "crm" };`, TESTS);
  expect(fail.stdout).toContain("FAIL  support reads a customer: expected allow, got deny (no-crm)");
  expect(fail.status).toBe(1);
  const invalid = run(`permit (principal, action, resource) when { resource.riskLevel == "x" };`, TESTS);
  expect(invalid.stderr).toContain("does not validate");
  expect(invalid.status).toBe(1);
});
