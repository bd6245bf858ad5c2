/**
 * Issue 16 §4, the approvals queue for volume: with 30 approvals waiting, a reviewer in the compact
 * table (the layout is stored per user) decides three by keyboard (j/k, a/d, confirmed with y or Enter;
 * Esc cancels) while another user decides a fourth through the API. The item decided elsewhere collapses
 * in place, saying who decided, and no row moves: every row keeps its box and the row under the pointer
 * stays the same. Bulk deny (x to select, d, y) writes one audit entry per approval. The navigation's
 * badge counts what is waiting on every console page. No page error, console error or CSP violation
 * (the fixtures fail the test on a violation).
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures.ts";
import { decide, sql } from "./fixtures/analyst.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";
import { openQueueTable, otherReviewer, rowBoxes } from "./support/approvals-queue.ts";
import { api } from "../test/support/mandate.ts";

const N = 30;

/** The approval whose row is under the mouse pointer at (x, y) in the viewport. */
function rowAt(page: Page, x: number, y: number): Promise<string | null> {
  return page.evaluate(([px, py]) => document.elementFromPoint(px, py)?.closest<HTMLElement>("[data-queue-item]")?.dataset.approvalId ?? null, [x, y]);
}

async function pendingCount(): Promise<number> {
  return Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM approvals WHERE status = 'pending' AND expires_at > now()`))[0].n);
}

test("keyboard decisions while another user decides: nothing moves under the pointer; bulk deny audits each", async ({ console: c }) => {
  // An agent of its own: the shared node's seeded agents carry other specs' load (a rate limit can deny them).
  const agent = await c.node.createAgent(`queue-${randomUUID().slice(0, 6)}`);
  const key = agent.apiKey;
  const tag = `e2e-queue-${randomUUID().slice(0, 8)}`;
  // Each in a session of its own, four at a time; the queue shows them soonest expiry first.
  for (let i = 0; i < N; i += 4) {
    const made = await Promise.all(
      [i, i + 1, i + 2, i + 3]
        .filter((k) => k < N)
        .map((k) => decide(c.node, key, `${tag}-${String(k).padStart(2, "0")}`, "files/delete_file", { path: `queue/${k}.bin` })),
    );
    for (const d of made) expect(d.decision).toBe("require_approval");
  }
  const ids = (await sql<{ id: string }>(`SELECT id FROM approvals WHERE session_id LIKE $1 ORDER BY expires_at, id`, [`${tag}-%`])).map((r) => r.id);
  expect(ids).toHaveLength(N);
  const analyst = await c.newUser("analyst");
  // The other reviewer decides through the API with a personal token (same endpoint and role check).
  const other = await otherReviewer();
  const page = await c.pageAs(analyst);
  const errors = collectPageErrors(page);
  // The compact table, remembered for this user (server-side: it survives a reload).
  const row = await openQueueTable(page, tag);
  await expect(page.locator("[data-queue-item]")).toHaveCount(N);
  // Soonest expiry first.
  expect(await page.locator("[data-queue-item]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.approvalId))).toEqual(ids);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  // The pointer rests on row 8; the boxes of all rows now.
  const box8 = (await row(ids[8]).boundingBox())!;
  const pointer = { x: box8.x + 20, y: box8.y + box8.height / 2 };
  await page.mouse.move(pointer.x, pointer.y);
  const before = await rowBoxes(page);
  const scrollBefore = await page.evaluate(() => scrollY);
  expect(await rowAt(page, pointer.x, pointer.y)).toBe(ids[8]);

  // 1: approve the first by keyboard (j, a, y).
  await page.keyboard.press("j");
  await expect(row(ids[0])).toHaveAttribute("aria-current", "true");
  await page.keyboard.press("a");
  await expect(page.getByTestId("queue-confirm")).toContainText(`Approve files/delete_file by ${agent.name}?`);
  await page.keyboard.press("y");
  await expect(row(ids[0])).toContainText("Approved by you");

  // Meanwhile another user denies the sixth, through the API with their personal token.
  expect((await api(c.node.url, other.token, "POST", `/api/v1/approvals/${ids[5]}/decision`, { decision: "deny", comment: "not today" })).status).toBe(200);

  // 2: deny the second (j, d, Enter); Esc cancels a started decision (the third stays pending).
  await page.keyboard.press("j");
  await page.keyboard.press("d");
  await page.keyboard.press("Enter");
  await expect(row(ids[1])).toContainText("Denied by you");
  await page.keyboard.press("j");
  await page.keyboard.press("a");
  await expect(page.getByTestId("queue-confirm")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("queue-confirm")).toHaveCount(0);
  await expect(row(ids[2])).toHaveAttribute("data-testid", "pending-approval-row");
  // 3: approve the third after all.
  await page.keyboard.press("a");
  await page.keyboard.press("y");
  await expect(row(ids[2])).toContainText("Approved by you");

  // The one decided elsewhere collapsed in place (the page polls every 3 s) and says who decided.
  await expect(row(ids[5])).toContainText(`Decided elsewhere by ${other.email}: denied`, { timeout: 15_000 });
  expect(await rowBoxes(page)).toEqual(before);
  expect(await page.evaluate(() => scrollY)).toBe(scrollBefore);
  expect(await rowAt(page, pointer.x, pointer.y)).toBe(ids[8]);

  // The badge counts what waits (all of it, not only this filter), here and on every console page.
  await expect.poll(async () => (await page.getByTestId("approvals-badge").textContent()) === String(await pendingCount())).toBe(true);

  // Bulk deny by keyboard: x on the 4th, 5th and (skipping the collapsed 6th) 7th, then d, y.
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("j");
    await page.keyboard.press("x");
  }
  await expect(page.getByRole("button", { name: "Deny selected (3)" })).toBeEnabled();
  await page.keyboard.press("d");
  await expect(page.getByTestId("queue-confirm")).toContainText("Deny 3 selected approvals?");
  await page.keyboard.press("y");
  const bulk = [ids[3], ids[4], ids[6]];
  for (const id of bulk) await expect(row(id)).toContainText("Denied by you");
  await expect(page.getByTestId("queue-status")).toHaveText("Denied 3 approvals: the calls stay blocked.");
  expect(await rowBoxes(page)).toEqual(before);
  expect(await rowAt(page, pointer.x, pointer.y)).toBe(ids[8]);

  // One audit entry per approval, each by its decider; the stored statuses agree.
  const audit = await sql<{ id: string; action: string; actor: string; n: number }>(
    `SELECT data->>'approval_id' AS id, action, actor, count(*)::int AS n FROM audit_entries
      WHERE kind = 'approval' AND data->>'approval_id' = ANY($1) GROUP BY 1, 2, 3 ORDER BY 1`,
    [ids.slice(0, 7)],
  );
  const want = [
    [ids[0], "approval.approve", analyst.email],
    [ids[1], "approval.deny", analyst.email],
    [ids[2], "approval.approve", analyst.email],
    [ids[3], "approval.deny", analyst.email],
    [ids[4], "approval.deny", analyst.email],
    [ids[5], "approval.deny", other.email],
    [ids[6], "approval.deny", analyst.email],
  ].map(([id, action, email]) => ({ id, action, actor: `user:${email}`, n: 1 }));
  expect(audit).toEqual(want.sort((a, b) => (a.id < b.id ? -1 : 1)));
  const statuses = await sql<{ status: string }>(`SELECT status FROM approvals WHERE id = ANY($1)`, [bulk]);
  expect(statuses.map((s) => s.status)).toEqual(["denied", "denied", "denied"]);

  // "Tidy up" (the reviewer's action) removes the collapsed rows; the rest keep their order.
  await page.getByRole("button", { name: "Tidy up (7)" }).click();
  await expect(page.locator("[data-queue-item]")).toHaveCount(N - 7);
  await expect(page.locator("[data-queue-item]").first()).toHaveAttribute("data-approval-id", ids[7]);

  // Another console page: the badge is there too, with the same count.
  await page.goto("/sessions");
  await expect.poll(async () => (await page.getByTestId("approvals-badge").textContent()) === String(await pendingCount())).toBe(true);
  expect(errors).toEqual([]);
});

test("cards: a card decided elsewhere collapses in place and the cards after it stay put", async ({ console: c }) => {
  const key = (await c.node.createAgent(`cards-${randomUUID().slice(0, 6)}`)).apiKey;
  const tag = `e2e-cards-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await decide(c.node, key, `${tag}-${i}`, "files/delete_file", { path: `cards/${i}.bin` })).approval!.id);
  const analyst = await c.newUser("analyst");
  const page = await c.pageAs(analyst);
  const errors = collectPageErrors(page);
  await page.goto("/approvals");
  await expect(page.getByRole("button", { name: "cards", exact: true })).toHaveAttribute("aria-pressed", "true");
  await page.getByLabel("Session contains").fill(tag);
  await expect(page.locator("[data-queue-item]")).toHaveCount(4);
  const before = await rowBoxes(page);
  expect((await api(c.node.url, c.node.adminToken, "POST", `/api/v1/approvals/${ids[0]}/decision`, { decision: "approve" })).status).toBe(200);
  const first = page.locator(`[data-queue-item][data-approval-id="${ids[0]}"]`);
  await expect(first.getByTestId("resolved-approval")).toContainText("Decided elsewhere by");
  expect(await rowBoxes(page)).toEqual(before);
  expect(errors).toEqual([]);
});

test("opt-in notification: asked on a click, then a new approval is announced once", async ({ console: c }) => {
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.context().grantPermissions(["notifications"], { origin: c.node.url });
  // Records what the page announces (the browser's own Notification still shows it).
  await page.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = [];
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(title);
      }
    }
    Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
    Object.defineProperty(Recorded, "requestPermission", { value: Real.requestPermission.bind(Real) });
    Object.assign(window, { Notification: Recorded, __shown: shown });
  });
  await page.goto("/approvals");
  const toggle = page.getByTestId("notify-toggle");
  await hydrated(page, '[data-testid="notify-toggle"]');
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  const shown = () => page.evaluate(() => (window as unknown as { __shown: string[] }).__shown);
  expect(await shown()).toEqual([]);
  await decide(c.node, (await c.node.createAgent(`notify-${randomUUID().slice(0, 6)}`)).apiKey, `e2e-notify-${randomUUID().slice(0, 8)}`, "files/delete_file", {
    path: "n.bin",
  });
  await expect.poll(shown, { timeout: 20_000 }).toEqual(["Approval waiting: files/delete_file"]);
  expect(errors).toEqual([]);
});
