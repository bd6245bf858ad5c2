/**
 * Screenshots of the main console pages for the README (docs/screenshots/), each in the light theme
 * (<name>.png) and the dark one (<name>-dark.png), on a week of seeded history (scripts/seed-history.ts:
 * 120 sessions, 12,000 decisions, delegations and approvals) plus a few live calls. Runs only with
 * MANDATE_SCREENSHOTS=1 (`npm run screenshots`), so that ordinary test runs do not rewrite committed images.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { api, DEFAULT_POLICY, ROOT } from "../test/support/mandate.ts";
import { sql } from "./fixtures/analyst.ts";
import { DEMO_SERVERS } from "../examples/mcp-servers/definitions.ts";
import { createAgent, createAgentKey } from "../lib/identity/agents.ts";
import { noNode } from "../lib/runtime/runtime.ts";
import { THEME_COOKIE } from "../lib/console/theme.ts";
import { expect, test } from "./support/fixtures.ts";
import { decide } from "./support/agent-calls.ts";
import { setPolicyText } from "./support/editor.ts";

test.skip(process.env.MANDATE_SCREENSHOTS !== "1", "set MANDATE_SCREENSHOTS=1 to refresh docs/screenshots");

test("console screenshots", async ({ console: c }) => {
  test.setTimeout(600_000);
  await promisify(execFile)(
    join(ROOT, "node_modules", ".bin", "tsx"),
    ["scripts/seed-history.ts", "--sessions", "120", "--decisions", "12000", "--days", "7", "--long", "800"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: c.node.databaseUrl, MANDATE_DATA_DIR: c.node.dataDir } },
  );
  // The timeline and the graph of a seeded session with a delegation, several tools and a deny.
  const [busy] = await sql<{ id: string }>(
    `SELECT s.id FROM sessions s WHERE EXISTS (SELECT 1 FROM delegations d WHERE d.session_id = s.id) AND s.deny_count > 0 AND s.step_count <= 60
      ORDER BY cardinality(s.tools_used) DESC, s.step_count DESC LIMIT 1`,
  );
  const key = c.node.credentials!.agents[0].api_key;
  let last = "";
  for (let i = 0; i < 12; i++) {
    const s = `demo-${randomUUID().slice(0, 8)}`;
    last = s;
    await decide(c.node.url, key, s, "crm/get_customer", { customer_id: `c-${i}` });
    await decide(c.node.url, key, s, "web/fetch_url", { url: `https://news.example/${i}` });
    await decide(c.node.url, key, s, "mail/send_email", { to: "a@b.c", subject: "hi", body: "x" });
    await decide(c.node.url, key, s, "files/read_file", { path: "notes/plan.md" });
    if (i % 4 === 0) await decide(c.node.url, key, s, "files/delete_file", { path: `tmp/old-${i}.log` });
  }
  // A changed definition of an approved tool (the server widened fetch_url's description).
  const web = DEMO_SERVERS.find((x) => x.server === "web")!.tools.map((t) => t.definition);
  web[0] = { ...web[0], description: `${web[0].description} Also follows redirects to any host and returns response headers.` };
  await api(c.node.url, key, "POST", "/api/v1/inventory", { server: "web", tools: web });

  // Agents that need attention: no owner, a key about to expire.
  await createAgent(noNode(), { name: "invoice-drafter", team: "finance", description: "Drafts invoices from CRM orders." }, "test:setup");
  await createAgentKey(noNode(), "invoice-drafter", "test:setup", 5);
  const page = await c.pageAs("admin");
  const shot = async (path: string, name: string, prepare?: () => Promise<void>) => {
    for (const theme of ["light", "dark"] as const) {
      await page.context().addCookies([{ name: THEME_COOKIE, value: theme, url: c.node.url }]);
      await page.goto(path);
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      if (prepare) await prepare();
      await page.waitForTimeout(300);
      await page.screenshot({ path: `docs/screenshots/${name}${theme === "dark" ? "-dark" : ""}.png`, fullPage: true });
    }
  };
  await shot("/", "dashboard");
  await shot("/sessions", "sessions");
  await shot(`/sessions/${busy?.id ?? last}`, "session-timeline");
  await shot(`/sessions/${busy?.id ?? last}/graph`, "delegation-graph");
  await shot("/approvals", "approvals");
  await shot("/audit", "audit");
  await shot("/tools", "tools");
  await shot("/tools/web/fetch_url", "tool-changed-definition");
  await shot("/tools/crm/export_customers", "tool-review");
  await shot("/agents", "agents");
  await shot("/agents/invoice-drafter", "agent-keys");
  await shot("/policies", "policy-type-error", async () => {
    await setPolicyText(
      page,
      `${DEFAULT_POLICY}\n@id("no-night-mail")\n@reason("no mail at night")\nforbid (principal, action, resource)\nwhen { resource.name == "send_email" && context.time.hourUtc < "6" };\n`,
    );
    await expect(page.getByTestId("problem").first()).toBeVisible();
  });
  await shot("/policies", "policy-replay", async () => {
    await setPolicyText(
      page,
      `${DEFAULT_POLICY}\n@id("no-news-site")\n@reason("news.example is off limits")\nforbid (principal, action, resource)\n` +
        `when { context.args has url && context.args.url like "https://news.example/*" };\n`,
    );
    await expect(page.getByTestId("validation-status")).toContainText("Valid");
    await page.getByRole("tab", { name: "What-if replay" }).click();
    await page.getByLabel("Last (days)").fill("1");
    await page.getByRole("button", { name: "Run replay" }).click();
    await expect(page.getByTestId("replay-report")).toBeVisible();
  });
  await shot("/policies/versions", "policy-versions");
  await shot("/users", "users");
  await shot("/account", "account-tokens");
});
