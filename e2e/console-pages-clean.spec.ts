/**
 * Issue 16: the list pages with relative times threw React error #418 (hydration text mismatch: the time
 * was computed on the server and again at hydration; components/forms/time-ago.tsx now keeps the
 * server's text, see e2e/relative-times-hydrate.spec.ts), and every page asked for a favicon that
 * answered 404. Here the browser's clock is an hour ahead of the server's, so a relative time computed
 * twice always differs: the pages must load with no uncaught error and no console error at all, and
 * the icons they link must exist.
 */
import { randomUUID } from "node:crypto";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { collectPageErrors, hydrated } from "./support/page-errors.ts";

test("/sessions, /approvals, /tools and /agents load without a page error or console error", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const s = `clean-${randomUUID()}`;
  expect((await decide(c.node.url, key, s, "files/read_file", { path: "a.txt" })).body.decision).toBe("allow");
  expect((await decide(c.node.url, key, s, "files/delete_file", { path: "a.txt" })).body.decision).toBe("require_approval");
  const page = await c.pageAs("analyst");
  const errors = collectPageErrors(page);
  await page.clock.setFixedTime(Date.now() + 3_600_000);

  for (const [path, selector] of [
    [`/sessions?q=${s}`, "table time"],
    ["/approvals", '[title^="expires "]'],
    ["/tools", "table time"],
    ["/agents", "table time"],
  ] as const) {
    await page.goto(path);
    await hydrated(page, selector);
  }
  expect(errors).toEqual([]);
});

test("every page links an icon that exists, and /favicon.ico is an image", async ({ console: c, browser }) => {
  const signedOut = await (await browser.newContext({ baseURL: c.node.url })).newPage();
  const page = await c.pageAs("viewer");
  for (const [p, path] of [
    [signedOut, "/login"],
    [page, "/"],
    [page, "/sessions"],
  ] as const) {
    await p.goto(path);
    const hrefs = await p.locator('head link[rel~="icon"]').evaluateAll((ls) => ls.map((l) => (l as HTMLLinkElement).href));
    expect(hrefs.length, `icon links on ${path}`).toBeGreaterThan(0);
    for (const href of hrefs) {
      const r = await p.request.get(href);
      expect(r.status(), href).toBe(200);
      expect(r.headers()["content-type"], href).toMatch(/^image\//);
    }
  }
  const ico = await signedOut.request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/^image\//);
  await signedOut.context().close();
});
