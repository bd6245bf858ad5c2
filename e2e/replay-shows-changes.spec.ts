import { randomUUID } from "node:crypto";
import { DEFAULT_POLICY } from "../test/support/mandate.ts";
import { loadMasterKey } from "../lib/crypto/master-key.ts";
import { keepReplayValues, setReplayRetentionDays } from "../lib/policy/replay-values.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { setPolicyText } from "./support/editor.ts";

const DRAFT = `${DEFAULT_POLICY}
@id("no-replay-site")
@reason("the replay example site is off limits")
forbid (principal, action, resource)
when { context.args has url && context.args.url like "https://replay.example/*" };

@id("secret-file-needs-approval")
@approval("required")
@reason("the replay secret file needs a human approval")
forbid (principal, action == Action::"tools/call", resource)
when { context.args has path && context.args.path == "replay/secret.txt" }
unless { context.approval.granted };

@id("no-marker-writes")
@reason("writes with the marker are not allowed")
forbid (principal, action, resource)
when { context.args has content && context.args.content like "*replay-marker*" };
`;

const WRITE = { path: "notes.txt", content: "replay-marker token=ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" };

test("what-if replay shows the decisions a draft would change, with links to their sessions", async ({ console: c }) => {
  const key = c.node.credentials!.agents[0].api_key;
  const s1 = `replay-a-${randomUUID()}`;
  const s2 = `replay-b-${randomUUID()}`;
  const seeded = [
    await decide(c.node.url, key, s1, "web/fetch_url", { url: "https://replay.example/a" }),
    await decide(c.node.url, key, s1, "files/read_file", { path: "replay/secret.txt" }),
    await decide(c.node.url, key, s1, "files/read_file", { path: "replay/public.txt" }),
    await decide(c.node.url, key, s2, "web/fetch_url", { url: "https://replay.example/b" }),
    await decide(c.node.url, key, s2, "web/fetch_url", { url: "https://replay.example/c" }),
    await decide(c.node.url, key, s2, "web/fetch_url", { url: "https://other.example/" }),
    // Stored redacted (a GitHub token inside): replay must not evaluate the redaction marker.
    await decide(c.node.url, key, s2, "files/write_file", WRITE),
  ];
  expect(seeded.map((r) => r.body.decision)).toEqual(["allow", "allow", "allow", "allow", "allow", "allow", "allow"]);

  const page = await c.pageAs("analyst");
  await page.goto("/policies");
  await setPolicyText(page, DRAFT);
  await expect(page.getByTestId("validation-status")).toContainText("Valid");
  await page.getByRole("tab", { name: "What-if replay" }).click();
  await page.getByLabel("Last (days)").fill("1");
  await page.getByRole("button", { name: "Run replay" }).click();
  const report = page.getByTestId("replay-report");
  await expect(report).toBeVisible();
  await expect(page.locator('[data-testid="replay-transition"][data-transition="allow→deny"]')).toHaveText("allow→deny: 3");
  await expect(page.locator('[data-testid="replay-transition"][data-transition="allow→require_approval"]')).toHaveText("allow→require_approval: 1");
  await expect(page.getByTestId("replay-changed")).toHaveText("4");
  await expect(page.getByTestId("replay-undeterminable")).toHaveText("1");
  const rows = page.locator('[data-testid="replay-change"][data-transition="allow→deny"]');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText("the replay example site is off limits");
  const link = page.locator('[data-testid="replay-change"][data-transition="allow→require_approval"]').getByRole("link");
  await expect(link).toHaveAttribute("href", `/sessions/${s1}#step-2`);
  await page.getByText(/Why 1 decisions are undeterminable/).click();
  await expect(report).toContainText("redacted argument content: 1");

  // With a retention set, the real values of redacted decisions are kept encrypted (here written as the
  // decision path's capture would), and replay evaluates them instead of reporting them undeterminable.
  loadMasterKey({ dataDir: c.node.dataDir, createIfMissing: false });
  await setReplayRetentionDays(noNode(), 30, "test:setup");
  expect(await keepReplayValues(seeded[6].body.decision_id, WRITE, true)).toBe(true);
  await page.getByRole("button", { name: "Run replay" }).click();
  await expect(page.getByTestId("replay-undeterminable")).toHaveText("0");
  await expect(page.locator('[data-testid="replay-transition"][data-transition="allow→deny"]')).toHaveText("allow→deny: 4");
  await expect(page.locator('[data-testid="replay-change"]').filter({ hasText: "writes with the marker are not allowed" })).toHaveCount(1);
  await setReplayRetentionDays(noNode(), 0, "test:setup");
});
