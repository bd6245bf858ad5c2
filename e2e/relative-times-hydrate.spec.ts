/**
 * Relative times ("3s ago", "expires in 14 min") in client components are computed on the server and
 * again when the page hydrates; once a second or a clock difference passes between the two, React
 * discarded the server HTML and rendered the page again on the client, dropping focus and what was
 * typed meanwhile (on a loaded machine: the agent name typed into "Register an agent", so
 * revoked-key-denied.spec.ts waited for a key that was never created). Here the browser's clock is an
 * hour ahead of the server's, so every relative time differs: the pages must hydrate without a mismatch.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { hydrated } from "./support/page-errors.ts";

test("console pages with relative times hydrate without a mismatch when the browser's clock is an hour off", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const s = `hydrate-${randomUUID()}`;
  expect((await decide(c.node.url, key, s, "files/read_file", { path: "a.txt" })).body.decision).toBe("allow");
  expect((await decide(c.node.url, key, s, "files/delete_file", { path: "a.txt" })).body.decision).toBe("require_approval");
  const page = await c.pageAs("admin");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.clock.setFixedTime(Date.now() + 3_600_000);

  for (const [path, selector] of [
    ["/agents", "table time"],
    [`/sessions?q=${s}`, "table time"],
    ["/approvals", '[title^="expires "]'],
  ] as const) {
    await page.goto(path);
    await hydrated(page, selector);
  }
  // The form typed into right after the page loaded keeps its value.
  await page.goto("/agents");
  const name = page.getByRole("form", { name: "Register an agent" }).getByLabel("Name");
  await name.fill("typed-before-hydration");
  await hydrated(page, "table time");
  await expect(name).toHaveValue("typed-before-hydration");
  expect(errors.filter((m) => /React error #4(18|19|2\d)|hydrat/i.test(m))).toEqual([]);
});
