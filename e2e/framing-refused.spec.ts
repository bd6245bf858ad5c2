/**
 * Clickjacking: a page on another port of the same host (same site, so the Lax session cookie goes
 * along) frames the signed-in console's approvals queue. The console's `frame-ancestors 'none'` (and
 * X-Frame-Options: DENY) make the browser refuse to render it in the frame.
 */
import { createServer, type Server } from "node:http";
import { expect, test } from "./support/fixtures.ts";

// The refusal itself is a CSP violation report: the one this test expects.
test.use({ cspAllowed: [/frame-ancestors/] });

let other: Server | undefined;
test.afterEach(() => other?.close());

test("a page on another port cannot frame the signed-in console", async ({ console: c }) => {
  const page = await c.pageAs("analyst");
  await page.goto("/approvals");
  await expect(page.getByRole("heading", { name: "Approvals" })).toBeVisible();

  other = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>other</title><iframe id="console" src="${c.node.url}/approvals" width="900" height="600"></iframe>`);
  });
  const port = await new Promise<number>((resolve) => other!.listen(0, "127.0.0.1", () => resolve((other!.address() as { port: number }).port)));

  const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
  // goto waits for the load event, which waits for the iframe's own load (or its refusal).
  await page.goto(`http://127.0.0.1:${port}/`);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(frame, "the iframe exists").toBeTruthy();
  // Chromium shows its own error document in the frame, never the console.
  expect(frame!.url()).not.toBe(`${c.node.url}/approvals`);
  expect(
    await frame!
      .locator("body")
      .innerText()
      .catch(() => ""),
  ).not.toContain("Approvals");
  expect((await refused).text()).toContain("frame-ancestors 'none'");
});
