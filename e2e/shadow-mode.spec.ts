import { randomUUID } from "node:crypto";
import { DEFAULT_POLICY } from "../test/support/mandate.ts";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { setPolicyText } from "./support/editor.ts";

test("a draft published as shadow is compared on live traffic, not enforced, with disagreements listed", async ({ console: c }) => {
  const page = await c.pageAs("admin");
  await page.goto("/policies/shadow");
  await expect(page.getByText("No version is in shadow mode")).toBeVisible();
  await page.goto("/policies");
  await setPolicyText(
    page,
    `${DEFAULT_POLICY}\n@id("no-shadow-site")\n@reason("shadow: no shadow.example")\n` +
      `forbid (principal, action, resource) when { context.args has url && context.args.url like "https://shadow.example/*" };\n`,
  );
  await expect(page.getByTestId("validation-status")).toContainText("Valid");
  await page.getByRole("button", { name: "Publish as shadow…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Start shadow" }).click();
  await expect(page.getByRole("status").filter({ hasText: "shadow mode" })).toBeVisible();
  await c.node.settle(500);

  const key = c.node.credentials!.agents[0].api_key;
  const s = `shadow-${randomUUID()}`;
  const enforced = await decide(c.node.url, key, s, "web/fetch_url", { url: "https://shadow.example/x" });
  expect(enforced.body.decision).toBe("allow");
  await decide(c.node.url, key, s, "files/read_file", { path: "a.txt" });

  await page.goto("/policies/shadow");
  await expect(page.getByTestId("shadow-disagreements")).toHaveText("1");
  const table = page.getByTestId("table-shadow");
  await expect(table).toContainText("web/fetch_url");
  await expect(table).toContainText("shadow: no shadow.example");
  // While it runs, the dashboard and the policy pages say so and link to the comparison.
  for (const path of ["/", "/policies/versions"]) {
    await page.goto(path);
    await expect(page.getByTestId("shadow-banner")).toContainText("Shadow policy running");
  }
  await page.getByTestId("shadow-banner").getByRole("link", { name: "See where it disagrees" }).click();
  await expect(page).toHaveURL(/\/policies\/shadow$/);
  await page.getByRole("button", { name: "Stop shadow" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Stop shadow" }).click();
  await expect(page.getByText("No version is in shadow mode")).toBeVisible();
  await page.goto("/policies/versions");
  await expect(page.getByRole("heading", { name: "Policy versions" })).toBeVisible();
  await expect(page.getByTestId("shadow-banner")).toHaveCount(0);
});
