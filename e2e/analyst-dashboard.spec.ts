/**
 * The dashboard: real numbers from the decision path, and every chart drills into the filtered list
 * behind it (here: the most denied tool → the audit explorer filtered to its denies).
 */
import { test, expect } from "./support/fixtures.ts";
import { sql, trifectaSession } from "./fixtures/analyst.ts";

test("the dashboard shows decisions, denies, active sessions and pending approvals, and drills into the lists", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const page = await c.pageAs("analyst");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  const [{ n }] = await sql(`SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'decision' AND created_at > now() - interval '1 day'`);
  await expect(page.getByText(`${n.toLocaleString("en")} decisions in the last 24 hours`)).toBeVisible();
  await expect(page.getByTestId("card-over-time").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByTestId("card-risk-mix")).toContainText("medium");
  const active = await sql(`SELECT count(*)::int AS n FROM sessions WHERE status = 'active' AND last_activity_at > now() - interval '15 minutes'`);
  await expect(page.getByTestId("active-count")).toHaveText(String(active[0].n));
  // Each latest active session shows its id, readable, and its details, all inside the card (the id had
  // shrunk to nothing beside details that ran past the card's edge).
  const card = (await page.getByTestId("card-active").boundingBox())!;
  for (const row of await page.getByTestId("active-session").all()) {
    const [id, details] = [(await row.getByRole("link").boundingBox())!, (await row.locator("span").last().boundingBox())!];
    expect(id.width).toBeGreaterThan(60);
    for (const b of [id, details]) expect(b.x >= card.x && b.x + b.width <= card.x + card.width, JSON.stringify({ b, card })).toBe(true);
  }
  await expect(page.getByTestId("active-session").first()).toBeVisible();

  // Drill: the most denied tool opens its denied decisions.
  await page.getByTestId("card-denied-tools").getByRole("link", { name: "mail/send_email" }).click();
  await expect(page).toHaveURL(/\/audit\?.*outcome=deny/);
  const rows = page.getByTestId("table-audit").locator("tbody tr");
  await expect(rows.first()).toContainText("mail/send_email");
  for (const text of await rows.allInnerTexts()) expect(text).toContain("deny");
  await expect(page.locator("body")).toContainText(s.id);

  // Drill: sessions active now opens the session list filtered to them.
  await page.goto("/");
  await page.getByTestId("active-count").click();
  await expect(page).toHaveURL(/\/sessions\?status=active&time=15m/);
  await expect(page.getByRole("link", { name: s.id })).toBeVisible();
});
