/**
 * Issue 16 §2, the time model of the dashboard, sessions and audit pages: the range picker (presets and a
 * custom range read in the user's zone, in the URL, applied by the server; a malformed range says why),
 * the UTC/local choice kept across a new sign-in (also in "updated at" and the range inputs),
 * auto-refresh bringing new rows and a new "updated at" (paused under a drawer or in a hidden tab), and a saved view shared by its link (opened by
 * another user while signed out: the link survives sign-in). Own agent and users; fails on page errors.
 * The browser runs in Asia/Kolkata (UTC+05:30) so "local" differs from UTC.
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { api } from "../test/support/mandate.ts";
import { decide } from "./support/agent-calls.ts";
import { expect, test, type Account } from "./support/fixtures.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

test.use({ timezoneId: "Asia/Kolkata" });
// Several page loads and a second sign-in per test, on a shared machine under load.
test.describe.configure({ timeout: 180_000 });

async function ownAgent(url: string, adminToken: string): Promise<string> {
  const r = await api(url, adminToken, "POST", "/api/v1/agents", { name: `tv-${randomUUID().slice(0, 8)}` });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.apiKey as string;
}

async function call(url: string, key: string, session: string): Promise<void> {
  // An agent no policy names is denied: the decision is recorded all the same.
  expect((await decide(url, key, session, "files/read_file", { path: "a.txt" })).status).toBe(200);
}

async function signInThroughForm(browser: Browser, baseURL: string, a: Account, start: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL, timezoneId: "Asia/Kolkata" })).newPage();
  await page.goto(start);
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByLabel("Password").press("Enter");
  return page;
}

const rowOf = (page: Page, session: string) => page.getByRole("link", { name: session, exact: true });

test("the range picker: presets and a custom range in the user's zone go into the URL and bound the lists; a malformed range says why", async ({
  console: c,
  browser,
}) => {
  const key = await ownAgent(c.node.url, c.node.adminToken);
  const s = `tv-range-${randomUUID().slice(0, 8)}`;
  await call(c.node.url, key, s);
  const user = await c.newUser("viewer");
  const page = await c.pageAs(user);
  const errors = collectPageErrors(page);

  await page.goto(`/sessions?q=${s}`);
  await hydrated(page, "[data-testid=range-picker] button");
  await expect(rowOf(page, s)).toBeVisible();
  const picker = page.getByRole("group", { name: "Active in" });
  await picker.getByRole("button", { name: "15m" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions\\?q=${s}&range=15m$`));
  await expect(picker.getByRole("button", { name: "15m" })).toHaveAttribute("aria-pressed", "true");
  await expect(rowOf(page, s)).toBeVisible();

  // The user switches to local time: the custom range's inputs are then read in Asia/Kolkata.
  await page.getByRole("button", { name: "Time zone: UTC. Show times in local time" }).click();
  await expect(page.getByTestId("zone-toggle")).toHaveText("Local");
  await expect(page.getByTestId("updated-at")).toHaveText(/ UTC\+05:30$/);
  await page.getByTestId("range-custom").click();
  await page.getByLabel(/^From \(Asia\/(Kolkata|Calcutta)\)$/).fill("2030-01-01T05:30");
  await page.getByRole("button", { name: "Apply range" }).click();
  await expect(page).toHaveURL(/from=2030-01-01T00%3A00%3A00\.000Z/);
  await expect(page.getByTestId("table-empty")).toBeVisible();
  // All time is the lists' default: it leaves the URL.
  await picker.getByRole("button", { name: "all" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions\\?q=${s}$`));
  await expect(rowOf(page, s)).toBeVisible();

  // The audit explorer and the dashboard read the same parameters.
  await page.goto(`/audit?session=${s}&range=1h`);
  await expect(page.getByRole("group", { name: "Written in" }).getByRole("button", { name: "1h" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("table-audit").locator("tbody tr").first()).toBeVisible();
  await page.goto(`/audit?session=${s}&to=2020-01-01T00:00:00Z`);
  await expect(page.getByTestId("table-empty")).toBeVisible();
  await page.goto("/?range=1h");
  await expect(page.getByText(/decisions in the last hour/)).toBeVisible();

  // Malformed: the reason on the page, the default range, no error page; the export refuses it.
  await page.goto(`/sessions?q=${s}&from=yesterday`);
  await expect(page.getByTestId("range-error")).toContainText("from must be a time in ISO 8601");
  await expect(rowOf(page, s)).toBeVisible();
  await page.goto("/?range=2y");
  await expect(page.getByTestId("range-error")).toContainText("range must be one of 15m, 1h, 24h, 7d, 30d, all");
  const exportStatus = await page.evaluate(async () => (await fetch("/api/console/audit/export?format=csv&range=2y")).status);
  expect(exportStatus).toBe(400);

  // The zone choice is the user's, server-side: a new sign-in in another browser renders in it.
  const again = await signInThroughForm(browser, c.node.url, user, "/sessions");
  const againErrors = collectPageErrors(again);
  await expect(again.getByTestId("zone-toggle")).toHaveText("Local");
  await expect(again.getByTestId("updated-at")).toHaveText(/^updated at \d{2}:\d{2}:\d{2} UTC\+05:30$/);
  await again.context().close();
  expect(errors.filter((e) => !/status of 400 .*export/.test(e))).toEqual([]);
  expect(againErrors).toEqual([]);
});

test("auto-refresh brings new rows and a new 'updated at' without a reload", async ({ console: c }) => {
  const key = await ownAgent(c.node.url, c.node.adminToken);
  const tag = `tv-refresh-${randomUUID().slice(0, 8)}`;
  await call(c.node.url, key, `${tag}-a`);
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.goto(`/sessions?q=${tag}`);
  await hydrated(page, "[data-testid=auto-refresh]");
  await page.getByTestId("auto-refresh").selectOption("10s");
  await expect(page).toHaveURL(/refresh=10s/);
  const before = await page.getByTestId("updated-at").textContent();
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await call(c.node.url, key, `${tag}-b`);
  await expect(rowOf(page, `${tag}-b`)).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId("updated-at")).not.toHaveText(before!);
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  // The period is kept when a filter changes.
  await page.getByRole("group", { name: "Active in" }).getByRole("button", { name: "24h" }).click();
  await expect(page).toHaveURL(/refresh=10s/);
  expect(errors).toEqual([]);
});

test("auto-refresh pauses while a drawer is open or the tab is hidden, and catches up after", async ({ console: c }) => {
  const name = `tv-${randomUUID().slice(0, 8)}`;
  const r = await api(c.node.url, c.node.adminToken, "POST", "/api/v1/agents", { name });
  expect(r.status).toBe(201);
  const key = r.body.apiKey as string;
  await call(c.node.url, key, `${name}-a`);
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  // The page's timers run on a clock the test moves: a period passes in no time, and nothing else moves it.
  await page.clock.install();
  await page.goto(`/audit?q=agent:${name}&refresh=10s`);
  await hydrated(page, "[data-testid=auto-refresh]");
  const rows = page.getByTestId("table-audit").getByTestId("audit-entry");
  const updated = page.getByTestId("updated-at");
  await expect(rows).toHaveCount(1);

  // A drawer open over the list: a new decision is not brought in, however long it stays open.
  await rows.first().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await call(c.node.url, key, `${name}-b`);
  await page.clock.fastForward(25_000);
  await expect(updated).toContainText("(paused)");
  await expect(rows).toHaveCount(1);
  // Closed: the next period brings it.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.clock.fastForward(11_000);
  await expect(rows).toHaveCount(2);
  await expect(updated).not.toContainText("(paused)");

  // A hidden tab does not refresh either; shown again, it does.
  const visibility = (state: "hidden" | "visible") =>
    page.evaluate((v) => Object.defineProperty(document, "visibilityState", { configurable: true, get: () => v }), state);
  await visibility("hidden");
  await call(c.node.url, key, `${name}-c`);
  await page.clock.fastForward(25_000);
  await expect(updated).toContainText("(paused)");
  await expect(rows).toHaveCount(2);
  await visibility("visible");
  await page.clock.fastForward(11_000);
  await expect(rows).toHaveCount(3);
  expect(errors).toEqual([]);
});

test("a saved view: saved, renamed, shared by its link (opened signed out by another user), deleted", async ({ console: c, browser }) => {
  const key = await ownAgent(c.node.url, c.node.adminToken);
  const s = `tv-view-${randomUUID().slice(0, 8)}`;
  await call(c.node.url, key, s);
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.goto(`/sessions?q=${s}&range=24h`);
  await hydrated(page, "[data-testid=views-menu] summary");
  const menu = page.getByTestId("views-menu");
  await menu.locator("summary").click();
  await menu.getByLabel("Name of the new view").fill("My denies");
  await menu.getByRole("button", { name: "Save", exact: true }).click();
  await expect(menu.getByRole("link", { name: "My denies" })).toBeVisible();
  await menu.getByRole("button", { name: "Rename My denies" }).click();
  await menu.getByLabel("New name for My denies").fill("Range view");
  await menu.getByRole("button", { name: "Save", exact: true }).first().click();
  await expect(menu.getByRole("link", { name: "Range view" })).toBeVisible();
  const views = await page.evaluate(async () => (await (await fetch("/api/v1/views?page=sessions")).json()) as { views: Array<{ id: string; link: string }> });
  expect(views.views).toHaveLength(1);
  const link = views.views[0].link;

  // Another user opens the link while signed out: sign-in lands on the view.
  const other = await c.newUser("viewer");
  const shared = await signInThroughForm(browser, c.node.url, other, link);
  const sharedErrors = collectPageErrors(shared);
  await expect(shared).toHaveURL(new RegExp(`/sessions\\?q=${s}&range=24h&view=${views.views[0].id}$`));
  await expect(rowOf(shared, s)).toBeVisible();
  await expect(shared.getByTestId("views-menu").locator("summary")).toHaveText(/View: Range view/);
  await expect(shared.getByRole("group", { name: "Active in" }).getByRole("button", { name: "24h" })).toHaveAttribute("aria-pressed", "true");
  await shared.context().close();

  await menu.getByRole("button", { name: "Delete Range view" }).click();
  await expect(menu.getByText("No saved views of this page yet.")).toBeVisible();
  await page.goto(link);
  await expect(page.getByText(/could not be found|not found/i).first()).toBeVisible();
  expect(sharedErrors).toEqual([]);
  expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
});

test("drag across the decisions chart zooms the dashboard's range; Reset zoom returns to 24 hours", async ({ console: c }) => {
  const key = await ownAgent(c.node.url, c.node.adminToken);
  await call(c.node.url, key, `tv-zoom-${randomUUID().slice(0, 8)}`);
  const page = await c.pageAs("viewer");
  const errors = collectPageErrors(page);
  await page.goto("/?range=1h");
  const chart = page.getByRole("img", { name: /^Decisions over time/ });
  await hydrated(page, "[data-testid=range-picker] button");
  await expect(chart.locator("svg.recharts-surface").last()).toBeVisible();
  const box = (await chart.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.25, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.75, y, { steps: 8 });
  await page.mouse.up();
  await expect(page).toHaveURL(/\/\?from=[^&]+&to=[^&]+$/);
  const u = new URL(page.url());
  const span = Date.parse(u.searchParams.get("to")!) - Date.parse(u.searchParams.get("from")!);
  // About half of the hour's 60 one-minute bars.
  expect(span).toBeGreaterThan(10 * 60_000);
  expect(span).toBeLessThan(50 * 60_000);
  await expect(page.getByRole("group", { name: "Time range" }).getByTestId("range-custom")).not.toHaveText(/Custom/);
  await page.getByRole("button", { name: "Reset zoom" }).click();
  await expect(page).toHaveURL(new RegExp(`${c.node.url}/$`));
  await expect(page.getByText(/decisions in the last 24 hours/)).toBeVisible();
  expect(errors).toEqual([]);
});
