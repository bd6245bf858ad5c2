/**
 * The audit explorer: filters, an export of a filtered view that contains exactly the filtered rows
 * (CSV and JSONL), a full and an incremental verification labelled as such, and a tampered row shown as
 * a broken chain at the right entry.
 */
import { readFileSync } from "node:fs";
import { test, expect } from "./support/fixtures.ts";
import { agentKey, decide, sql, trifectaSession } from "./fixtures/analyst.ts";

test("an export of a filtered view contains exactly the filtered rows", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  for (let i = 0; i < 4; i++) await decide(c.node, agentKey(c.node), s.id, "files/read_file", { path: `f${i}` });
  await trifectaSession(c.node); // other rows that must not be exported
  const page = await c.pageAs("analyst");
  await page.goto(`/audit?session=${s.id}&kind=decision`);
  const rows = page.getByTestId("table-audit").locator("tbody tr");
  await expect(rows).toHaveCount(7);
  // How far back the live log reaches (issue 19 §4): nothing archived on this node.
  await expect(page.getByTestId("live-log-reach")).toHaveText(/^Live log from \d{4}-\d{2}-\d{2}; nothing archived\.$/);

  const expected = await sql(
    `SELECT chain_id, seq FROM audit_entries WHERE session_id = $1 AND kind = 'decision' ORDER BY created_at DESC, chain_id DESC, seq DESC`,
    [s.id],
  );
  expect(expected).toHaveLength(7);

  const [csvDl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-links").getByRole("link", { name: "CSV" }).click()]);
  const csv = readFileSync(await csvDl.path(), "utf8")
    .trim()
    .split("\r\n");
  expect(csv[0].startsWith("created_at,chain_id,seq,kind,action")).toBe(true);
  const csvKeys = csv.slice(1).map((l) => l.split(",").slice(1, 3).join("#"));
  expect(csvKeys).toEqual(expected.map((e) => `${e.chain_id}#${e.seq}`));

  const [jsonDl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-links").getByRole("link", { name: "JSONL" }).click()]);
  const lines = readFileSync(await jsonDl.path(), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(lines.map((l) => `${l.chain_id}#${l.seq}`)).toEqual(expected.map((e) => `${e.chain_id}#${e.seq}`));
  expect(lines.every((l) => l.session_id === s.id && l.kind === "decision")).toBe(true);
});

test("filters narrow the log and the search box finds a decision by id", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const page = await c.pageAs("viewer");
  await page.goto(`/audit?session=${s.id}&outcome=deny`);
  const rows = page.getByTestId("table-audit").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("mail/send_email");
  // The count of the filters (issue 16 §2), exact at this size.
  await expect(page.getByTestId("result-count")).toHaveText("1 result");
  await expect(page.getByTestId("result-count")).toHaveAttribute("data-exact", "true");
  await page.goto(`/audit?session=${s.id}`);
  await expect(page.getByTestId("result-count")).toHaveText(`${await rows.count()} results`);
  await page.goto("/audit");
  // The audit table's own search box (the header has the global search).
  const search = page.getByRole("search", { name: "Filter audit" }).getByRole("searchbox");
  await search.fill(s.steps[0].decision_id);
  await search.press("Enter");
  await expect(page).toHaveURL(/q=/);
  const found = page.getByTestId("table-audit").locator("tbody tr");
  await expect(found).toHaveCount(1);
  await expect(found.first()).toContainText("crm/get_customer");
});

test("a tampered audit row is shown as a broken chain at the right entry", async ({ console: c }) => {
  const s = await trifectaSession(c.node);
  const [target] = await sql(`SELECT chain_id, seq, outcome, data FROM audit_entries WHERE decision_id = $1 AND kind = 'decision'`, [s.steps[1].decision_id]);
  const page = await c.pageAs("analyst");
  await page.goto("/audit");
  await page.getByRole("button", { name: "Verify the audit log now" }).click();
  await expect(page.getByTestId("verify-result")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  await expect(page.getByTestId("verify-mode")).toContainText("Full verification");
  // "Last verified" is kept (for the page and anyone who opens it later): who, how, and each chain's reach.
  const last = page.getByTestId("last-verified");
  const chainVerified = page.locator(`[data-testid=chain][data-chain="${target.chain_id}"] [data-testid=chain-verified]`);
  await expect(last).toHaveAttribute("data-ok", "true");
  await expect(last).toContainText(/^Last verified \d{4}-\d{2}-\d{2} [\d:.]+ UTC.* by user:\S+@\S+ \(every entry\): intact, [\d,]+ entries in \d+ chains?\.$/);
  await expect(chainVerified).toContainText(/; verified to #\d+/);
  await page.reload();
  await expect(last).toHaveAttribute("data-ok", "true");
  // The incremental mode says so, and from which checkpoint (or that none could be trusted).
  await page.getByRole("button", { name: "Incremental: verify since the last checkpoint" }).click();
  await expect(page.getByTestId("verify-result")).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  await expect(page.getByTestId("verify-mode")).toContainText(/^Incremental(: from checkpoint [0-9a-f]{8} \(| requested, but no checkpoint)/);

  // Rewrite history the way an attacker with database access would (as decision-path.test.ts does).
  await sql(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
  try {
    await sql(`UPDATE audit_entries SET outcome = 'deny', data = jsonb_set(data, '{reasons}', '[]') WHERE chain_id = $1 AND seq = $2`, [
      target.chain_id,
      target.seq,
    ]);
  } finally {
    await sql(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`);
  }
  try {
    await page.reload();
    await page.getByRole("button", { name: "Verify the audit log now" }).click();
    const result = page.getByTestId("verify-result");
    await expect(result).toHaveAttribute("data-ok", "false", { timeout: 30_000 });
    await expect(page.getByTestId("first-broken")).toHaveAttribute("data-entry", `${target.chain_id}:${target.seq}`);
    await expect(page.getByTestId("first-broken")).toContainText("content altered");
    await expect(last).toHaveAttribute("data-ok", "false");
    await expect(last).toContainText(new RegExp(`broken — chain \\S+ at #${target.seq}\\b`));
    await expect(chainVerified).toContainText(`; broken at #${target.seq}`);
    await page.getByTestId("first-broken").getByRole("link").click();
    // The broken entry opens in the drawer, over the log.
    await expect(page.getByRole("dialog").getByTestId("drawer-entry")).toHaveAttribute("data-entry", `${target.chain_id}:${target.seq}`);
  } finally {
    // Put the row back so later specs on this node see an intact chain.
    await sql(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
    await sql(`UPDATE audit_entries SET outcome = $3, data = $4 WHERE chain_id = $1 AND seq = $2`, [
      target.chain_id,
      target.seq,
      target.outcome,
      JSON.stringify(target.data),
    ]);
    await sql(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`);
  }
});
