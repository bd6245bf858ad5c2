/**
 * Risk-first triage (issue 16 §3): sessions of different risk made through the decision API, "Needs me
 * now" puts the riskiest first by default, the session timeline's filter chips and "Next deny" (button
 * and key `n`), and an agent's activity section with its links into the audit. Fails on any page error,
 * console error or CSP violation (the fixtures watch CSP).
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";
import { agentKey, decide, sql } from "./fixtures/analyst.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

test("Needs me now sorts by risk; the timeline filters by chip and jumps to the next deny; the agent page shows its activity", async ({ console: c }) => {
  const key = agentKey(c.node);
  const prefix = `e2e-risk-${randomUUID().slice(0, 8)}`;
  const s = { high: `${prefix}-high`, medium: `${prefix}-medium`, low: `${prefix}-low`, clean: `${prefix}-clean` };
  const email = { to: "x@example.org", subject: "s", body: "b" };
  // high: reads pii and untrusted content, then three sends are denied (3 denies of 6 steps): 9 + 10 + 16 = 35.
  await decide(c.node, key, s.high, "crm/get_customer", { customer_id: "c-1" });
  await decide(c.node, key, s.high, "web/fetch_url", { url: "https://example.com/" });
  expect((await decide(c.node, key, s.high, "mail/send_email", email)).decision).toBe("deny");
  await decide(c.node, key, s.high, "files/read_file", { path: "a.txt" });
  expect((await decide(c.node, key, s.high, "mail/send_email", email)).decision).toBe("deny");
  expect((await decide(c.node, key, s.high, "mail/send_email", email)).decision).toBe("deny");
  // medium: the trifecta once (1 deny of 3): 3 + 6.67 + 16 → 26. low: an approval asked for: 4. clean: 0.
  await decide(c.node, key, s.medium, "crm/get_customer", { customer_id: "c-2" });
  await decide(c.node, key, s.medium, "web/fetch_url", { url: "https://example.com/" });
  await decide(c.node, key, s.medium, "mail/send_email", email);
  expect((await decide(c.node, key, s.low, "files/delete_file", { path: "old.txt" })).decision).toBe("require_approval");
  await decide(c.node, key, s.clean, "files/read_file", { path: "b.txt" });

  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);

  // Needs me now: riskiest first by default, the clean session left out.
  await page.goto(`/triage?q=${prefix}`);
  await expect(page.getByRole("heading", { name: "Needs me now" })).toBeVisible();
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(rows.getByRole("link", { name: /^e2e-risk-/ })).toHaveText([s.high, s.medium, s.low]);
  await expect(rows.getByTestId("risk-score")).toHaveText([/^35 \(Risk 35 of base 35 /, /^26 /, /^4 /]);
  await expect(rows.first().getByTestId("risk-score")).toHaveAttribute("title", /label combination 16/);
  // The session list sorts by the same score either way, the clean session included.
  await page.goto(`/sessions?q=${prefix}&sort=risk&dir=asc`);
  await expect(page.locator("tbody tr").getByRole("link", { name: /^e2e-risk-/ })).toHaveText([s.clean, s.low, s.medium, s.high]);

  // The riskiest session's timeline: the chips list only their steps, with their counts; the state is in the URL.
  await page.goto(`/triage?q=${prefix}`);
  await rows.getByRole("link", { name: s.high }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${s.high}$`));
  await hydrated(page, '[data-testid="timeline-chips"] button');
  const steps = page.getByTestId("timeline-step");
  await expect(steps).toHaveCount(6);
  const chips = page.getByRole("group", { name: "Show steps" });
  await chips.getByRole("button", { name: "Denies only (3)" }).click();
  await expect(page).toHaveURL(/[?&]show=deny/);
  await expect(steps).toHaveCount(3);
  await expect(steps.first()).toHaveAttribute("data-step", "3");
  await expect(steps.last()).toHaveAttribute("data-step", "6");
  await chips.getByRole("button", { name: "Label changes (2)" }).click();
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(1)).toHaveAttribute("data-step", "2");
  await expect(chips.getByRole("button", { name: "Approvals (0)" })).toBeVisible();
  await expect(chips.getByRole("button", { name: "Delegation (0)" })).toBeVisible();
  await chips.getByRole("button", { name: "All steps" }).click();
  await expect(page).not.toHaveURL(/show=/);
  await expect(steps).toHaveCount(6);

  // Next deny: key n from the top opens step 3 in the drawer, then 5; the button then opens 6, and says when there is none.
  const details = page.getByRole("dialog").getByTestId("step-details");
  await page.getByTestId("timeline").focus();
  await page.keyboard.press("n");
  await expect(page).toHaveURL(/[?&]step=3/);
  await expect(details).toHaveAttribute("data-step", "3");
  await page.keyboard.press("n");
  await expect(details).toHaveAttribute("data-step", "5");
  await page.getByRole("button", { name: "Next deny ↓" }).click();
  await expect(details).toHaveAttribute("data-step", "6");
  await page.getByRole("button", { name: "Next deny ↓" }).click();
  await expect(page.getByText("No denied step after step 6.")).toBeVisible();
  // A chip and a step together in a pasted link open the same view.
  await page.goto(`/sessions/${s.high}?show=deny&step=5`);
  await expect(steps).toHaveCount(3);
  await expect(details).toHaveAttribute("data-step", "5");

  // The delegation graph draws the allowed and the denied edge between one agent and one tool apart
  // (separate paths, labels that do not overlap), and highlights the edge clicked.
  const graph = `e2e-graph-${randomUUID().slice(0, 8)}`;
  expect((await decide(c.node, key, graph, "mail/send_email", email)).decision).toBe("allow");
  await decide(c.node, key, graph, "crm/get_customer", { customer_id: "c-3" });
  await decide(c.node, key, graph, "web/fetch_url", { url: "https://example.com/" });
  expect((await decide(c.node, key, graph, "mail/send_email", email)).decision).toBe("deny");
  await page.goto(`/sessions/${graph}/graph`);
  const edge = (label: string) => page.locator(`.react-flow__edge[aria-label="${label}: support-assistant calling mail/send_email"]`);
  const [allowed, denied] = [edge("1 allowed"), edge("1 denied")];
  await expect(allowed).toHaveCount(1);
  await expect(denied).toHaveCount(1);
  const d = async (e: typeof allowed) => e.locator("path.react-flow__edge-path").getAttribute("d");
  expect(await d(allowed)).not.toEqual(await d(denied));
  const [a, b] = [await allowed.locator("text").boundingBox(), await denied.locator("text").boundingBox()];
  expect(a && b && (a.y + a.height <= b.y || b.y + b.height <= a.y || a.x + a.width <= b.x || b.x + b.width <= a.x)).toBe(true);
  await denied.locator(".react-flow__edge-textwrapper").click();
  await expect(page.getByTestId("edge-steps")).toContainText("mail/send_email: 1 denied");
  await expect(denied.locator("path.react-flow__edge-path")).toHaveCSS("stroke-width", "5px");
  await expect(allowed.locator("path.react-flow__edge-path")).toHaveCSS("opacity", "0.45");

  // The agent's activity: totals, both charts, the tools it called, and links into the audit filtered to it.
  const [agent] = await sql<{ id: string }>(`SELECT id FROM agents WHERE name = 'support-assistant'`);
  await page.goto("/agents/support-assistant");
  const activity = page.getByTestId("agent-activity");
  await expect(activity.getByRole("heading", { name: "Activity" })).toBeVisible();
  await expect(activity.getByRole("img", { name: /^Sessions opened \(/ })).toBeVisible();
  await expect(activity.getByRole("img", { name: /^Decisions over time:/ })).toBeVisible();
  await expect(activity.getByTestId("agent-tools")).toContainText("mail/send_email");
  const denies = activity.getByTestId("agent-tools").getByRole("row", { name: /mail\/send_email/ });
  await expect(denies).toBeVisible();
  await activity.getByRole("link", { name: "Audit entries of support-assistant" }).click();
  await expect(page).toHaveURL(new RegExp(`/audit\\?.*agent=${agent.id}`));
  await expect(page.getByRole("table").first()).toContainText("support-assistant");
  await page.goto("/agents/support-assistant?range=7d");
  await expect(activity.getByRole("link", { name: "7 days" })).toHaveAttribute("aria-current", "page");

  expect(errors).toEqual([]);
});
