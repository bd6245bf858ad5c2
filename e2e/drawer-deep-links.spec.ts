/**
 * Issue 16 §1: an audit entry and a timeline step open in a right-hand drawer over their list, which
 * stays in place (no reload, same scroll); full JSON with a copy button; j/k for next/previous, Esc
 * to close; the drawer's state is in the URL (`?entry=`, `?step=`), so a link pasted elsewhere — even
 * opened signed out, then signed in — opens the same view. The session's "Audit entries" is a tab of
 * the session page. The AuthZEN directory is under Policies in the navigation.
 */
import type { Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { expect, test, type Console } from "./support/fixtures.ts";
import { agentKey, decide } from "./fixtures/analyst.ts";
import { collectPageErrors } from "./support/page-errors.ts";

/** A session of four allowed steps, each one decision entry. */
async function fourSteps(c: Console) {
  const id = `drawer-${randomUUID()}`;
  const key = agentKey(c.node);
  for (let i = 0; i < 4; i++) expect((await decide(c.node, key, id, "files/read_file", { path: `f-${i}.txt` })).decision).toBe("allow");
  return id;
}

/** Marks the document, so that a test can tell the page was not loaded again. */
const mark = (page: Page) => page.evaluate(() => ((window as unknown as { __kept: number }).__kept = 1));
const kept = (page: Page) => page.evaluate(() => (window as unknown as { __kept?: number }).__kept === 1);

test("an audit entry opens in a drawer over the list: j/k, copy, Esc, and a pasted link opens it after sign-in", async ({ console: c, browser }) => {
  const session = await fourSteps(c);
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  const errors = collectPageErrors(page);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(`/audit?session=${session}`);
  const table = page.getByTestId("table-audit");
  const buttons = table.getByTestId("audit-entry");
  await expect(buttons).toHaveCount(4);
  const ids = await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute("data-entry")!));
  const firstRow = await table.locator("tbody tr").first().elementHandle();
  await mark(page);

  await buttons.nth(1).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("drawer-entry")).toHaveAttribute("data-entry", ids[1]);
  await expect(page).toHaveURL(new RegExp(`[?&]entry=${ids[1]}(&|$)`));
  await expect(drawer.getByTestId("drawer-position")).toHaveText("2 of 4 on this page");
  await expect(drawer.getByTestId("drawer-json")).toContainText(`"sessionId": "${session}"`);

  await page.keyboard.press("j");
  await expect(drawer.getByTestId("drawer-entry")).toHaveAttribute("data-entry", ids[2]);
  await expect(page).toHaveURL(new RegExp(`[?&]entry=${ids[2]}(&|$)`));
  // Two presses faster than the drawer renders (a slowed CPU makes sure they are): both count.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 20 });
  await page.keyboard.press("k");
  await page.keyboard.press("k");
  await expect(drawer.getByTestId("drawer-entry")).toHaveAttribute("data-entry", ids[0]);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await expect(drawer.getByRole("button", { name: /Previous/ })).toBeDisabled();

  await drawer.getByRole("button", { name: "Copy JSON" }).click();
  await expect(drawer.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as { chainId: string; seq: number; sessionId: string };
  expect(`${copied.chainId}:${copied.seq}`).toBe(ids[0]);
  expect(copied.sessionId).toBe(session);

  // The list under the drawer was neither reloaded nor rendered again.
  expect(await kept(page)).toBe(true);
  expect(await firstRow.evaluate((tr) => tr.isConnected)).toBe(true);

  await page.keyboard.press("j");
  await expect(drawer.getByTestId("drawer-entry")).toHaveAttribute("data-entry", ids[1]);
  const link = page.url();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(new URL(page.url()).searchParams.has("entry")).toBe(false);

  // The link, opened signed out: sign-in returns to it, drawer open on the same entry.
  const other = await (await browser.newContext({ baseURL: c.node.url })).newPage();
  await other.goto(link.slice(c.node.url.length));
  await expect(other).toHaveURL(/\/login\?/);
  await other.getByLabel("Email").fill(analyst.email);
  await other.getByLabel("Password").fill(analyst.password);
  await other.getByLabel("Password").press("Enter");
  await expect(other.getByRole("dialog").getByTestId("drawer-entry")).toHaveAttribute("data-entry", ids[1]);
  expect(other.url()).toBe(link);
  await other.context().close();
  expect(errors).toEqual([]);
});

test("an entry linked from elsewhere opens even when it is not on the page shown; a malformed or unknown one says so", async ({ console: c }) => {
  const session = await fourSteps(c);
  const page = await c.pageAs("viewer");
  await page.goto(`/audit?session=${session}`);
  const id = await page.getByTestId("table-audit").getByTestId("audit-entry").first().getAttribute("data-entry");
  // A list filtered to something else, with the entry named in the URL.
  await page.goto(`/audit?kind=admin&entry=${id}`);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("drawer-entry")).toHaveAttribute("data-entry", id!);
  await expect(drawer.getByTestId("drawer-position")).toHaveText("not on this page of the list");
  await expect(drawer.getByRole("button", { name: /Next/ })).toBeDisabled();
  const [chain] = id!.split(":");
  for (const bad of [`${chain}:999999999`, "not-an-entry"]) {
    const r = await page.goto(`/audit?entry=${encodeURIComponent(bad)}`);
    expect(r?.status()).toBe(200);
    await expect(page.getByRole("dialog")).toContainText(`No audit entry ${bad}`);
  }
});

test("a timeline step opens in the drawer (?step=), j/k move through steps, and the session's audit entries are a tab", async ({ console: c }) => {
  const session = await fourSteps(c);
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.goto(`/sessions/${session}`);
  const timeline = page.getByTestId("timeline");
  await timeline.getByRole("button", { name: "Step 2: open details" }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("step-details")).toHaveAttribute("data-step", "2");
  await expect(drawer).toContainText("f-1.txt");
  await expect(drawer.getByTestId("drawer-position")).toHaveText("2 of 4");
  await expect(page).toHaveURL(/[?&]step=2$/);
  await page.keyboard.press("j");
  await expect(drawer.getByTestId("step-details")).toHaveAttribute("data-step", "3");
  await expect(drawer).toContainText("f-2.txt");
  await expect(timeline.getByRole("button", { name: "Step 3: open details" })).toHaveAttribute("aria-current", "true");
  await page.keyboard.press("j");
  await expect(drawer.getByRole("button", { name: /Next/ })).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // A pasted link opens the same step.
  await page.goto(`/sessions/${session}?step=3`);
  await expect(page.getByRole("dialog").getByTestId("step-details")).toHaveAttribute("data-step", "3");
  await page.goto(`/sessions/${session}?step=9`);
  await expect(page.getByRole("dialog")).toContainText("This session has no step 9");

  // The Audit entries tab: this session's entries only, in the same page with its own drawer.
  await page.goto(`/sessions/${session}`);
  await page.getByRole("navigation", { name: "Session views" }).getByRole("link", { name: "Audit entries" }).click();
  await expect(page).toHaveURL(new RegExp(`/sessions/${session}/audit`));
  await expect(page.getByRole("navigation", { name: "Session views" }).getByRole("link", { name: "Audit entries" })).toHaveAttribute("aria-current", "page");
  const table = page.getByTestId("table-audit");
  await expect(table.getByTestId("audit-entry")).toHaveCount(4);
  await expect(table.locator("tbody tr").filter({ hasNotText: session })).toHaveCount(0);
  await table.getByTestId("audit-entry").first().click();
  // From the entry to its step: the session page with that step's drawer.
  await page
    .getByRole("dialog")
    .getByRole("link", { name: new RegExp(`${session} · 4`) })
    .click();
  await expect(page.getByRole("dialog").getByTestId("step-details")).toHaveAttribute("data-step", "4");
  expect(errors).toEqual([]);
});

test("the AuthZEN directory is under Policies in the navigation", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  await page.goto("/directory");
  const main = page.getByRole("navigation", { name: "Main" });
  await expect(main.getByRole("link", { name: "Directory" })).toHaveCount(0);
  await expect(main.getByRole("link", { name: "Policies" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("navigation", { name: "Policy", exact: true }).getByRole("link", { name: "Directory (AuthZEN)" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await page.goto("/policies");
  await page.getByRole("navigation", { name: "Policy", exact: true }).getByRole("link", { name: "Directory (AuthZEN)" }).click();
  await expect(page).toHaveURL(/\/directory$/);
});
