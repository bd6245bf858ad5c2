import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, ROOT } from "../test/support/mandate.ts";
import { getPool } from "../lib/db/pool.ts";
import { expect, test } from "./support/fixtures.ts";
import { forgeApi } from "./support/forge.ts";

// Line 3 compares a Long with a String: a type error the validator reports at that line.
const BROKEN = `@id("ok") permit (principal, action, resource) when { resource.riskLevel <= 1 };

@id("typo") permit (principal, action, resource) when { resource.riskLevel == "high" };
`;

test("a policy with a type error is shown at its line and cannot be published", async ({ console: c }) => {
  const admin = await c.newUser("admin");
  const page = await c.pageAs(admin);
  await page.goto("/policies");
  await expect(page.getByTestId("validation-status")).toContainText("Valid");
  const editor = page.getByRole("textbox", { name: "Cedar policy set" });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await editor.fill(BROKEN);
  await expect(page.getByTestId("validation-status")).toContainText("cannot be published");
  const problem = page.getByTestId("problem").first();
  await expect(problem).toHaveAttribute("data-line", "3");
  await expect(problem).toContainText("line 3");
  // The editor marks the line in its gutter.
  const marker = page.locator(".cm-gutter-lint .cm-gutterElement").filter({ has: page.locator(".cm-lint-marker-error") });
  await expect(marker).toHaveCount(1);
  const gutterTop = await marker.boundingBox();
  const line3 = await page.locator(".cm-line").nth(2).boundingBox();
  expect(Math.abs(gutterTop!.y - line3!.y)).toBeLessThan(4);
  await expect(page.getByRole("button", { name: "Publish…" })).toBeDisabled();

  // Forcing it anyway (the admin's own session, straight to the console's publish call) is refused too.
  const before = Number((await getPool().query("SELECT count(*) FROM policy_versions")).rows[0].count);
  const r = await forgeApi(c.node.url, "/api/v1/policies/mcp/publish", { text: BROKEN, tests: [], mode: "active" }, await c.cookieOf(admin));
  expect(r.status).toBe(422);
  expect(r.body.detail).toContain("does not validate");
  expect(Number((await getPool().query("SELECT count(*) FROM policy_versions")).rows[0].count)).toBe(before);

  // …and through the API and the CLI, which call the same publishPolicy().
  const viaApi = await api(c.node.url, c.node.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: BROKEN });
  expect(viaApi.status).toBe(422);
  expect(viaApi.body.errors[0].path).toMatch(/^line 3:/);
  const file = join(mkdtempSync(join(tmpdir(), "broken-")), "broken.cedar");
  writeFileSync(file, BROKEN);
  const cli = spawnSync(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "policy", "publish", file], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: c.node.databaseUrl, MANDATE_DATA_DIR: c.node.dataDir },
  });
  expect(cli.status).toBe(1);
  expect(cli.stderr).toContain(`${file}:3:`);
  expect(Number((await getPool().query("SELECT count(*) FROM policy_versions")).rows[0].count)).toBe(before);
});
