/**
 * Guard-railed policy changes (issue 16 §5) through the API on a real node: the stored tests a publish
 * would run (publish-check), the what-if replay's groups and pages past the first 200 over a pinned
 * window, its bounds, and the CSV/NDJSON export of every change.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDecisions, seededTool } from "../../e2e/support/seed-decisions.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const AGENT = `guard-${randomUUID().slice(0, 8)}`;
const SESSIONS = 3;
const STEPS = 300;
// The seeded steps of AGENT the draft changes: its fetches denied, its file reads gated (more than two pages of 200).
const count = (tool: string) =>
  Array.from({ length: SESSIONS * STEPS }, (_, i) => seededTool(Math.floor(i / STEPS), (i % STEPS) + 1)).filter((t) => t === tool).length;
const FETCHES = count("web/fetch_url");
const READS = count("files/read_file");
const N = FETCHES + READS;
const DRAFT = `${DEFAULT_POLICY}
@id("no-guard-fetch")
@reason("this agent may not fetch")
forbid (principal == Agent::"${AGENT}", action, resource) when { resource.name == "fetch_url" };

@id("guard-reads-need-approval")
@approval("required")
@reason("this agent's file reads need a human approval")
forbid (principal == Agent::"${AGENT}", action == Action::"tools/call", resource) when { resource.name == "read_file" }
unless { context.approval.granted };
`;
const replay = (body: Record<string, unknown>) => api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/replay", { text: DRAFT, days: 1, ...body });

async function exportText(body: Record<string, unknown>) {
  const r = await fetch(`${m.url}/api/v1/policies/mcp/replay/export`, {
    method: "POST",
    headers: { authorization: `Bearer ${m.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ text: DRAFT, days: 1, ...body }),
  });
  return { status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition"), text: await r.text() };
}

beforeAll(async () => {
  m = await startMandate();
  await m.createAgent(AGENT);
  // Through the production commit path (the audit bulk writer), in the last hour.
  expect(await seedDecisions({ sessions: SESSIONS, steps: STEPS, days: 1 / 24, agent: AGENT })).toBe(SESSIONS * STEPS);
}, 180_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("what-if replay: groups, pages, bounds and exports", () => {
  it("counts every change per agent, tool, policy and direction, and pages past the first 200 over the same window", async () => {
    const first = await replay({});
    expect(first.status).toBe(200);
    const r = first.body;
    expect(N).toBeGreaterThan(400);
    expect(r.changed).toBe(N);
    expect(r.transitions).toEqual({ "allow→deny": FETCHES, "allow→require_approval": READS });
    expect(r.changes).toHaveLength(200);
    expect(r.page).toEqual({ offset: 0, limit: 200, matched: N, filter: null });
    expect(r.groups.direction).toEqual({
      groups: [
        { value: "allow→deny", count: FETCHES },
        { value: "allow→require_approval", count: READS },
      ].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
      more: 0,
    });
    expect(r.groups.tool.groups).toEqual(
      expect.arrayContaining([
        { value: "web/fetch_url", count: FETCHES },
        { value: "files/read_file", count: READS },
      ]),
    );
    expect(r.groups.policy.groups.map((g: { value: string }) => g.value).sort()).toEqual(["guard-reads-need-approval", "no-guard-fetch"]);
    expect(r.groups.agent.groups).toEqual([{ value: AGENT, count: N }]);

    // The pages after the first, with the window's end pinned: every change once, in order.
    const pages = [r.changes];
    for (let offset = 200; offset < N; offset += 200) pages.push((await replay({ to: r.to, offset })).body.changes);
    expect(pages.map((p) => p.length)).toEqual([200, 200, N - 400]);
    const ids = new Set(pages.flat().map((c: { decisionId: string }) => c.decisionId));
    expect(ids.size).toBe(N);
    // Those pages came from the node's memory of the first run; replayed again (another bound: no entry), the same page.
    const again = await replay({ to: r.to, offset: 200, max_decisions: 999_999 });
    expect(again.body.changes).toEqual(pages[1]);
    // One group's changes only.
    const gated = await replay({ to: r.to, filter: { by: "direction", value: "allow→require_approval" }, limit: 5 });
    expect(gated.body.page).toMatchObject({ matched: READS, limit: 5 });
    expect(gated.body.changes[0]).toMatchObject({ tool: "files/read_file", policy: "guard-reads-need-approval", to: "require_approval" });

    // Bounded by rows: stopped, saying so and how far it got.
    const bounded = await replay({ to: r.to, max_decisions: 50 });
    expect(bounded.body).toMatchObject({ total: 50, truncated: true, stoppedBy: "rows", bounds: { maxDecisions: 50, maxSeconds: null } });
    expect(Date.parse(bounded.body.coveredTo)).toBeLessThan(Date.parse(r.to));

    // The export holds every change of the same window, not only a page.
    const csv = await exportText({ to: r.to, format: "csv" });
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    expect(csv.disposition).toMatch(/^attachment; filename="replay-.*\.csv"$/);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("decision_id,at,session_id,step,agent,tool,from,to,policy,reasons");
    expect(lines).toHaveLength(N + 1);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[0]))).toEqual(ids);
    const nd = await exportText({ to: r.to, format: "ndjson" });
    expect(nd.type).toContain("application/x-ndjson");
    const rows = nd.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(N);
    expect(rows.filter((x) => x.to === "deny" && x.policy === "no-guard-fetch")).toHaveLength(FETCHES);
  });

  it("refuse bad input with a specific 4xx before anything is sent", async () => {
    expect((await exportText({ text: "permit (", format: "csv" })).status).toBe(422);
    expect((await exportText({ format: "xlsx" })).status).toBe(400);
    expect((await replay({ to: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(400);
    expect((await replay({ limit: 1001 })).status).toBe(400);
    expect((await replay({ filter: { by: "colour", value: "x" } })).status).toBe(400);
    expect((await replay({ max_seconds: 0 })).status).toBe(400);
  });
});

describe("publish-check", () => {
  it("runs the stored test cases a publish would run and names the failing ones; nothing is saved", async () => {
    const reads = {
      name: "support reads a customer",
      agent: "support-assistant",
      tool: "crm/get_customer",
      arguments: { customer_id: "c-1" },
      expect: "allow",
    };
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/publish", { text: DEFAULT_POLICY, tests: [reads] })).status).toBe(201);
    const check = (text: string, tests?: unknown[]) =>
      api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/publish-check", { text, ...(tests ? { tests } : {}) });
    const ok = await check(DRAFT);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ failing: [], tests: [{ name: "support reads a customer", pass: true }] });
    const noCrm = `${DEFAULT_POLICY}\n@id("no-crm") forbid (principal, action, resource) when { resource.server == "crm" };\n`;
    const bad = await check(noCrm, [{ ...reads, name: "a sent case", expect: "deny" }]);
    expect(bad.body.failing).toEqual(["support reads a customer"]);
    expect(bad.body.tests).toHaveLength(2);
    expect((await check(noCrm, [{ name: "x" }])).status).toBe(400);
  });
});
