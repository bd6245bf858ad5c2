/**
 * A 10,000-step session stays smooth: the timeline renders only the rows in view, loads windows of
 * steps as they come into view, and jumps to any step.
 */
import { randomUUID } from "node:crypto";
import { api, DEFAULT_POLICY } from "../test/support/mandate.ts";
import { test, expect } from "./support/fixtures.ts";
import { decide } from "./fixtures/analyst.ts";

test("a 10,000-step session renders only what is in view and jumps to step 9,500", async ({ console: c }) => {
  test.setTimeout(180_000);
  // 10,000 real decisions in one session (the node serialises them per session; 25 in flight).
  const long = { id: `e2e-long-${randomUUID().slice(0, 8)}` };
  // An agent of its own: 10,000 calls leave its minute counter far over the default limit, and a
  // seeded agent other specs use would be rate-limited for the next minute once the default is back.
  const key = (await c.node.createAgent(`long-${randomUUID().slice(0, 6)}`)).apiKey;
  const tools = ["files/read_file", "files/write_file", "web/fetch_url", "files/read_file"];
  // 10,000 calls in a few minutes are far over the default per-agent rate limit (600/min): the seeding
  // runs under the default policy with that limit raised, then the default is published again, so
  // the shared node's history holds no rate-limit denials for other specs (what-if replay) to trip on.
  const publish = async (text: string) =>
    expect((await api(c.node.url, c.node.adminToken, "POST", "/api/v1/policies/mcp/publish", { text, note: "e2e: timeline seeding" })).status).toBe(201);
  const raised = DEFAULT_POLICY.replace("context.counters.agent.minute >= 600", "context.counters.agent.minute >= 1000000");
  expect(raised).not.toBe(DEFAULT_POLICY);
  await publish(raised);
  let next = 0;
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (next < 10_000) {
        const i = next++;
        await decide(c.node, key, long.id, tools[i % tools.length], { path: `f-${i}` });
      }
    }),
  );
  await publish(DEFAULT_POLICY);
  const page = await c.pageAs("viewer");
  const t0 = Date.now();
  await page.goto(`/sessions/${long.id}`);
  await expect(page.getByText("10,000 steps")).toBeVisible();
  await expect(page.locator('[data-testid="timeline-step"][data-step="1"]')).toBeVisible();
  expect(Date.now() - t0).toBeLessThan(10_000);
  // Only the rows in view (plus overscan) are in the DOM, never 10,000.
  expect(await page.getByTestId("timeline-step").count()).toBeLessThan(60);

  await page.getByLabel("Step number").fill("9500");
  await page.getByRole("button", { name: "Go", exact: true }).click();
  const row = page.locator('[data-testid="timeline-step"][data-step="9500"]');
  await expect(row).toBeVisible({ timeout: 15_000 });
  expect(await page.getByTestId("timeline-step").count()).toBeLessThan(60);

  // Scrolling further loads the next window.
  await page.getByTestId("timeline").evaluate((el) => el.scrollBy(0, 64 * 600));
  await expect(
    page
      .locator('[data-testid="timeline-step"]')
      .filter({ hasText: /#10\d{3}|#99\d\d/ })
      .first(),
  ).toBeVisible({ timeout: 15_000 });

  // A link to a step beyond the first window (the drawer's ?step=) opens it, the list scrolled to it;
  // j moves to the next step, which is in a window not loaded yet.
  await page.goto(`/sessions/${long.id}?step=9600`);
  const details = page.getByRole("dialog").getByTestId("step-details");
  await expect(details).toHaveAttribute("data-step", "9600");
  await expect(page.locator('[data-testid="timeline-step"][data-step="9600"]')).toBeVisible({ timeout: 15_000 });
  await page.keyboard.press("j");
  await expect(details).toHaveAttribute("data-step", "9601", { timeout: 15_000 });
  await expect(page.locator('[data-testid="timeline-step"][data-step="9601"]')).toBeVisible();
});
