/**
 * The console's one time and search model (issue 16 §2): the header's search box jumps to a session by
 * a fragment from the middle of its id, to an agent by its name, lists several matches by kind and says
 * when nothing matches; users are found by admins only. The UTC/local switch changes the zone of every
 * timestamp, is stored for the user (it survives a reload) and the page hydrates without a mismatch.
 * The browser runs in Asia/Kolkata (UTC+05:30, no daylight saving; Chromium names it Asia/Calcutta), so
 * "local" differs from UTC.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { searchConsole } from "../lib/console/search.ts";
import { formatTimestamp } from "../lib/console/time.ts";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

test.use({ timezoneId: "Asia/Kolkata" });

async function search(page: Page, text: string): Promise<void> {
  const box = page.getByRole("search", { name: "Search", exact: true }).getByRole("searchbox");
  await box.fill(text);
  await box.press("Enter");
}

test("the header search jumps to a session by a middle fragment, to an agent, lists several matches and says when none", async ({ console: c }) => {
  const agent = c.node.credentials!.agents[0];
  const tag = randomUUID().replace(/-/g, "");
  const id = `srch-${tag}-end`;
  const sibling = `srch-${tag}-other`;
  for (const s of [id, sibling]) expect((await decide(c.node.url, agent.api_key, s, "files/read_file", { path: "a.txt" })).body.decision).toBe("allow");
  const page = await c.pageAs("viewer");
  const errors = collectPageErrors(page);
  await page.goto("/account");

  // A fragment from the middle of the id (neither its start nor its end) → that session.
  await search(page, `${tag.slice(20)}-en`);
  await expect(page).toHaveURL(new RegExp(`/sessions/${id}$`));

  // Several matches → grouped by kind, each a link.
  await search(page, tag.slice(4, 16));
  await expect(page).toHaveURL(/\/search\?q=/);
  await expect(page.getByRole("heading", { name: /^Sessions \(2\)/ })).toBeVisible();
  await expect(page.getByRole("link", { name: sibling })).toBeVisible();

  // An agent by its name.
  await search(page, agent.name);
  await expect(page).toHaveURL(new RegExp(`/agents/${agent.name}$`));

  // Nothing: says so.
  await search(page, `no-such-${randomUUID()}`);
  await expect(page.getByTestId("search-none")).toContainText("Nothing matches");

  // Text that cannot be searched (a control character) is refused with a reason, not an error page.
  await page.goto("/search?q=a%01b");
  await expect(page.getByRole("alert").filter({ hasText: "Cannot search for this" })).toContainText("no control characters");

  // Decisions and approvals by the start of their id, tools by server/name: the page's own function,
  // on the node's database (no page load each).
  const held = (await decide(c.node.url, agent.api_key, sibling, "files/delete_file", { path: "a.txt" })).body;
  expect(held.decision).toBe("require_approval");
  expect((await searchConsole(held.decision_id.slice(0, 13), "viewer")).jumpTo).toBe(`/audit?decision=${held.decision_id}`);
  expect((await searchConsole(held.approval.id.slice(0, 8).toUpperCase(), "viewer")).jumpTo).toBe(`/approvals/${held.approval.id}`);
  expect((await searchConsole("files/delete_file", "viewer")).jumpTo).toBe("/tools/files/delete_file");

  // Users are an admin's: a viewer finds no user by email, an admin is taken to the users page.
  const admin = await c.newUser("admin");
  await search(page, admin.email);
  await expect(page.getByTestId("search-none")).toBeVisible();
  const adminPage = await c.pageAs(admin);
  await adminPage.goto(`/search?q=${encodeURIComponent(admin.email)}`);
  await expect(adminPage).toHaveURL(/\/users$/);
  expect(errors).toEqual([]);
});

test("the UTC/local switch changes the zone of the times shown and survives a reload", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  const errors = collectPageErrors(page);
  const local = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  expect(["Asia/Kolkata", "Asia/Calcutta"]).toContain(local);
  await page.goto("/audit");
  const first = page.locator("table time").first();
  const at = (await first.getAttribute("datetime"))!;
  await expect(first).toHaveText(formatTimestamp(at, "UTC"));
  await expect(first).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);

  await page.getByRole("button", { name: "Time zone: UTC. Show times in local time" }).click();
  await expect(page.getByTestId("zone-toggle")).toHaveText("Local");
  await expect(page.locator(`table time[datetime="${at}"]`).first()).toHaveText(formatTimestamp(at, local));
  await expect(page.locator(`table time[datetime="${at}"]`).first()).toHaveText(/ UTC\+05:30$/);

  await page.reload();
  await hydrated(page, "table time");
  await expect(page.locator(`table time[datetime="${at}"]`).first()).toHaveText(formatTimestamp(at, local));

  // A zone that does not exist is refused (400) and changes nothing.
  const refused = await page.evaluate(async () => {
    const r = await fetch("/api/v1/account/preferences", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"time_zone":"Mars/Olympus"}',
    });
    return r.status;
  });
  expect(refused).toBe(400);
  await page.reload();
  await expect(page.locator(`table time[datetime="${at}"]`).first()).toHaveText(formatTimestamp(at, local));

  await page.getByRole("button", { name: `Time zone: local (${local}). Show times in UTC` }).click();
  await expect(page.getByTestId("zone-toggle")).toHaveText("UTC");
  await expect(page.locator(`table time[datetime="${at}"]`).first()).toHaveText(formatTimestamp(at, "UTC"));
  // The only error is the refused request's own 400 in the browser's console.
  expect(errors.filter((e) => !/status of 400 .*\/api\/v1\/account\/preferences$/.test(e))).toEqual([]);
});
