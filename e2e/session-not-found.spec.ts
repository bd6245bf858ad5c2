/** Issue 16: an unknown session answers a proper 404 page with a way back to the sessions list. */
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";

test("an unknown session is a 404 page that leads back to /sessions", async ({ console: c }) => {
  const page = await c.pageAs("viewer");
  const id = `no-such-${randomUUID()}`;
  const res = await page.goto(`/sessions/${id}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Session not found" })).toBeVisible();
  await expect(page.getByRole("main")).toContainText(id);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible(); // still inside the console
  await page.getByRole("link", { name: "All sessions" }).click();
  await expect(page).toHaveURL(`${c.node.url}/sessions`);
  await expect(page.getByRole("heading", { name: "Sessions", exact: true })).toBeVisible();
});
