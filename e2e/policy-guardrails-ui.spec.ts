/**
 * Guard-railed policy changes in the console (issue 16 §5): the publish dialog shows the stored test
 * cases (a failing one named, the override note asked for) and the last 24 h's replay impact by
 * direction; the what-if replay groups its changes, pages past the first 200 and exports them; a
 * replay goes stale visibly when the draft changes; two versions are compared on the diff page.
 * Its own agent and decisions (the node is shared with the other specs); the active text is restored at the end.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { DEFAULT_POLICY } from "../test/support/mandate.ts";
import { activeVersion } from "../lib/console/policies.ts";
import { publishPolicy, saveDraft } from "../lib/policy/publish.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { expect, test } from "./support/fixtures.ts";
import { setPolicyText } from "./support/editor.ts";
import { seedDecisions, seededTool } from "./support/seed-decisions.ts";

const SESSIONS = 2;
const STEPS = 420;
const count = (tool: string) =>
  Array.from({ length: SESSIONS * STEPS }, (_, i) => seededTool(Math.floor(i / STEPS), (i % STEPS) + 1)).filter((t) => t === tool).length;

test("publish dialog: tests and 24 h impact; replay groups, pages past 200, exports, goes stale; version diff", async ({ console: c }) => {
  test.setTimeout(240_000);
  const agent = (await c.node.createAgent(`ui-guard-${randomUUID().slice(0, 8)}`)).name;
  expect(await seedDecisions({ sessions: SESSIONS, steps: STEPS, days: 1 / 24, agent })).toBe(SESSIONS * STEPS);
  const fetches = count("web/fetch_url");
  const reads = count("files/read_file");
  expect(fetches).toBeGreaterThan(200);
  const draft = `${DEFAULT_POLICY}
@id("ui-guard-no-fetch")
@reason("this agent may not fetch")
forbid (principal == Agent::"${agent}", action, resource) when { resource.name == "fetch_url" };

@id("ui-guard-reads-need-approval")
@approval("required")
@reason("this agent's file reads need a human approval")
forbid (principal == Agent::"${agent}", action == Action::"tools/call", resource) when { resource.name == "read_file" }
unless { context.approval.granted };
`;
  // A stored test case the draft fails (stored with the active text, published again; restored at the end).
  const test1 = `${agent} may fetch`;
  const before = (await activeVersion("mcp"))!;
  const stored = await publishPolicy(noNode(), "mcp", before.text, "test:setup", {
    tests: [{ name: test1, agent, tool: "web/fetch_url", arguments: { url: "https://example.com/" }, expect: "allow" }],
    overrideNote: "e2e setup",
  });
  const drafted = await saveDraft(noNode(), "mcp", draft, "test:setup", { note: "e2e: ui-guard draft" });

  try {
    const page = await c.pageAs("admin");
    await page.goto("/policies");
    await setPolicyText(page, draft);
    await expect(page.getByTestId("validation-status")).toContainText("Valid");

    // The publish dialog: the failing stored case named, the override note asked for, the 24 h impact by direction.
    await page.getByRole("button", { name: "Publish…" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.locator('[data-testid="publish-test"][data-pass="false"]')).toContainText(`${test1} — expected allow, got deny (ui-guard-no-fetch)`);
    await expect(dialog.getByTestId("publish-tests-summary")).toContainText("1 fail");
    await expect(dialog.getByRole("button", { name: "Publish anyway" })).toBeDisabled();
    await expect(dialog.getByLabel(/Override note/)).toBeVisible();
    await expect(dialog.locator('[data-testid="impact-direction"][data-direction="allow→deny"]')).toHaveText(`allow→deny: ${fetches}`);
    await expect(dialog.locator('[data-testid="impact-direction"][data-direction="allow→require_approval"]')).toHaveText(`allow→require_approval: ${reads}`);
    await expect(dialog.locator('[data-testid="impact-direction"][data-direction="deny→allow"]')).toHaveText("deny→allow: 0");
    await expect(dialog.getByTestId("impact-bound")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // The replay: grouped, one group paged past its first 200, exported.
    await page.getByRole("tab", { name: "What-if replay" }).click();
    await page.getByLabel("Last (days)").fill("1");
    await page.getByRole("button", { name: "Run replay" }).click();
    const report = page.getByTestId("replay-report");
    await expect(report.locator('[data-testid="replay-transition"][data-transition="allow→deny"]')).toHaveText(`allow→deny: ${fetches}`);
    await page.getByLabel("Group changes by").selectOption("agent");
    await expect(report.locator(`[data-testid="replay-group"][data-group="${agent}"] [data-testid="replay-group-count"]`)).toHaveText(String(fetches + reads));
    await page.getByLabel("Group changes by").selectOption("direction");
    await report.getByRole("button", { name: "Show allow→deny" }).click();
    await expect(report.getByTestId("replay-range")).toHaveText(`Changes 1–200 of ${fetches} with direction allow→deny`);
    await expect(report.getByTestId("replay-change")).toHaveCount(200);
    await report.getByRole("button", { name: "Next" }).click();
    await expect(report.getByTestId("replay-range")).toHaveText(`Changes 201–${Math.min(400, fetches)} of ${fetches} with direction allow→deny`);
    await expect(report.getByTestId("replay-change")).toHaveCount(Math.min(200, fetches - 200));
    await expect(report.locator('[data-testid="replay-change"]:not([data-transition="allow→deny"])')).toHaveCount(0);

    const changed = Number((await report.getByTestId("replay-changed").textContent())!.replace(/,/g, ""));
    const download = page.waitForEvent("download");
    await report.getByRole("button", { name: "Export CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^replay-.*\.csv$/);
    const lines = readFileSync(await file.path(), "utf8")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toBe("decision_id,at,session_id,step,agent,tool,from,to,policy,reasons");
    expect(lines).toHaveLength(changed + 1);
    expect(lines.filter((l) => l.includes(",allow,deny,ui-guard-no-fetch,"))).toHaveLength(fetches);

    // Editing the draft makes the replay stale, visibly.
    await expect(page.getByTestId("replay-stale")).toHaveCount(0);
    await setPolicyText(page, `${draft}\n// edited after the replay\n`);
    await expect(page.getByTestId("replay-stale")).toHaveText("The draft changed since this replay — run again.");
    await expect(report).toHaveAttribute("data-stale", "true");

    // Two versions compared: picked on the versions page, policy by policy with deep links.
    await page.goto("/policies/versions");
    const picker = page.getByRole("form", { name: "Compare two versions" });
    await picker.getByRole("combobox", { name: "Compare", exact: true }).selectOption(String(stored.version));
    await picker.getByRole("combobox", { name: "with", exact: true }).selectOption(String(drafted.version));
    await picker.getByRole("button", { name: "Show diff" }).click();
    await expect(page).toHaveURL(new RegExp(`/policies/versions/diff\\?from=${stored.version}&to=${drafted.version}$`));
    await expect(page.getByTestId("diff-counts")).toHaveText(/^2 added, 0 removed, 0 changed, \d+ unchanged$/);
    await page.locator('[data-testid="diff-policy"][data-policy="ui-guard-no-fetch"]').getByRole("link").click();
    await expect(page).toHaveURL(/#policy-ui-guard-no-fetch$/);
    await expect(page.getByRole("region", { name: "Policy ui-guard-no-fetch, added" }).getByTestId("diff")).toContainText(`principal == Agent::"${agent}"`);
  } finally {
    // The active text again, without the stored case (other specs publish on this node).
    await publishPolicy(noNode(), "mcp", before.text, "test:setup", { tests: [], overrideNote: "e2e teardown" });
  }
});
