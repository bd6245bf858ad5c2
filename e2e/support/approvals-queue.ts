/**
 * The approvals queue as the specs drive it: its compact table, stored for the user, filtered to a test's
 * sessions; where each row is; and a second reviewer who decides through the API (same endpoint and role
 * check as the console).
 */
import { randomUUID } from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";
import { hydrated } from "./page-errors.ts";
import { createApiToken, createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";

/** Every queue row's box in document coordinates (independent of scrolling), by approval id. */
export function rowBoxes(page: Page): Promise<Record<string, [number, number, number, number]>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>("[data-queue-item]")].map((el) => {
        const r = el.getBoundingClientRect();
        return [el.dataset.approvalId!, [Math.round(r.left + scrollX), Math.round(r.top + scrollY), Math.round(r.width), Math.round(r.height)]];
      }),
    ),
  );
}

/** Another admin, with a personal token for the API. */
export async function otherReviewer(): Promise<{ email: string; token: string }> {
  const email = `other-${randomUUID().slice(0, 8)}@e2e.test`;
  const u = await createUser(noNode(), { email, role: "admin" }, "test:setup");
  return { email, token: (await createApiToken(noNode(), u.id, "admin", "test:setup", 1)).secret };
}

/**
 * Opens /approvals, switches to the table (stored for the user: a reload opens the table again) and
 * filters it to sessions containing `session`. Returns the row of an approval.
 */
export async function openQueueTable(page: Page, session: string): Promise<(id: string) => Locator> {
  await page.goto("/approvals");
  await hydrated(page, '[aria-label="Layout"] button');
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/account/preferences") && r.status() === 200);
  await page.getByRole("button", { name: "table", exact: true }).click();
  await saved;
  await page.reload();
  await expect(page.getByRole("button", { name: "table", exact: true })).toHaveAttribute("aria-pressed", "true");
  await hydrated(page, '[data-testid="approvals-table"] button');
  await page.getByLabel("Session contains").fill(session);
  return (id: string) => page.locator(`[data-queue-item][data-approval-id="${id}"]`);
}
