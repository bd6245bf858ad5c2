/**
 * Issue 16: a viewer's policy page is read-only — it must not speak of editing (the analyst's copy) or
 * offer to fill the test cases with an example.
 */
import { expect, test } from "./support/fixtures.ts";

test("a viewer's policy page has no editing copy and no example button; an analyst's still does", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  await page.goto("/policies");
  await expect(page.getByText("You can read and validate this text.")).toBeVisible();
  await expect(page.getByText(/^Showing: /)).toBeVisible();
  await expect(page.getByText(/Editing:|indent/)).toHaveCount(0);
  await page.getByRole("tab", { name: "Tests" }).click();
  await expect(page.getByLabel("Test cases (JSON)")).not.toBeEditable();
  await expect(page.getByRole("button", { name: "Start from an example" })).toHaveCount(0);

  const analyst = await c.pageAs("analyst");
  await analyst.goto("/policies");
  await expect(analyst.getByText(/^Editing: /)).toBeVisible();
  await analyst.getByRole("tab", { name: "Tests" }).click();
  await expect(analyst.getByLabel("Test cases (JSON)")).toBeEditable();
});
