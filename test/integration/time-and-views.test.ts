/**
 * Issue 16 §2 on a real PostgreSQL: the range picker's range (`range=` / `from=&to=`, zod-validated)
 * bounds the session list, the audit explorer and the dashboard's decision scan; saved views are each
 * user's own (create, list, rename, delete; another user's view is a 404 to change), refused input is a
 * specific 4xx that stores nothing, and any user can open a view by its id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decisionFacts } from "../../lib/analytics/dashboard-queries.ts";
import { rangeWindow } from "../../lib/analytics/prepare-dashboard.ts";
import { auditFacets } from "../../lib/audit/facets.ts";
import { listAuditEntries } from "../../lib/audit/queries.ts";
import { auditTableDefinition, toAuditFilters } from "../../lib/audit/queries-filters.ts";
import { applyTableRange, parseRange } from "../../lib/console/range-params.ts";
import { getView } from "../../lib/console/saved-views.ts";
import { parseTableState, type SearchParams } from "../../lib/console/table/definition.ts";
import { getPool } from "../../lib/db/pool.ts";
import { createApiToken, createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { sessionFacets } from "../../lib/sessions/facets.ts";
import { listSessions } from "../../lib/sessions/queries.ts";
import { sessionsTableDefinition } from "../../lib/sessions/queries-filters.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const tokens: string[] = [];
const session = `range-${Date.now().toString(36)}`;

beforeAll(async () => {
  m = await startMandate();
  for (const who of ["a", "b"]) {
    const u = await createUser(noNode(), { email: `${who}-${session}@views.test`, role: "viewer", password: `pw-${who}-views-test-1` }, "test:setup");
    tokens.push((await createApiToken(noNode(), u.id, "views", "test:setup", 1)).secret);
  }
  const r = await api(m.url, m.credentials!.agents[0].api_key, "POST", "/api/v1/decisions", {
    session: { id: session },
    tool: { server: "files", name: "read_file" },
    arguments: { path: "a.txt" },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}, 240_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe("the time range on the server", () => {
  const sessionsWith = async (sp: SearchParams) => {
    const def = sessionsTableDefinition({ agents: [], initiators: [], labels: [], sp });
    const r = applyTableRange(def, parseTableState(def, { ...sp, q: session }));
    return { ids: (await listSessions(r.state)).rows.map((s) => s.id), error: r.range?.error ?? null };
  };
  const auditWith = async (sp: SearchParams) => {
    const def = auditTableDefinition({ agents: [], tools: [], sp });
    const r = applyTableRange(def, parseTableState(def, { ...sp, q: session }));
    return (await listAuditEntries(toAuditFilters(r.state))).rows.length;
  };

  it("bounds the session list and the audit explorer (presets, absolute, either end open)", async () => {
    expect((await sessionsWith({ range: "15m" })).ids).toEqual([session]);
    expect((await sessionsWith({})).ids).toEqual([session]);
    expect((await sessionsWith({ from: iso(3_600_000) })).ids).toEqual([]);
    expect((await sessionsWith({ to: iso(-3_600_000) })).ids).toEqual([]);
    expect((await sessionsWith({ from: iso(-3_600_000), to: iso(60_000) })).ids).toEqual([session]);
    // A legacy link (?time=) still works.
    expect((await sessionsWith({ time: `${iso(3_600_000)}~${iso(7_200_000)}` })).ids).toEqual([]);
    expect(await auditWith({ range: "1h" })).toBeGreaterThan(0);
    expect(await auditWith({ from: iso(60_000) })).toBe(0);
    expect(await auditWith({ to: iso(-3_600_000) })).toBe(0);
  });

  it("refuses a malformed range with the reason and lists with the default instead", async () => {
    const bad = await sessionsWith({ from: "yesterday" });
    expect(bad.error).toMatch(/from must be a time in ISO 8601/);
    expect(bad.ids).toEqual([session]);
    expect((await sessionsWith({ range: "1y" })).error).toMatch(/range must be one of/);
  });

  it("bounds the dashboard's decision scan", async () => {
    const count = async (from: number, to: number) => {
      const w = rangeWindow(from, to);
      return (await decisionFacts(w.from, w.to, w.bucketMs)).reduce((s, f) => s + f.n, 0);
    };
    const r = parseRange({ range: "15m" }, "24h");
    expect(await count(r.from!.getTime(), Date.now())).toBeGreaterThan(0);
    expect(await count(Date.now() - 400 * 86_400_000, Date.now() - 399 * 86_400_000)).toBe(0);
  });
});

describe("facet counts", () => {
  it("count each filter's values in the filtered view, without the facet's own filter", async () => {
    const agent = (await getPool().query<{ agent_id: string }>("SELECT agent_id FROM sessions WHERE id = $1", [session])).rows[0].agent_id;
    const facets = (outcome?: string) =>
      sessionFacets({ sort: { id: "lastActivity", dir: "desc" }, filters: outcome ? { outcome: [outcome] } : {}, q: session, cursor: null });
    const all = await facets();
    expect(all.counts.outcome.denied + all.counts.outcome.clean).toBe(1);
    expect(all.counts.agent).toEqual({ [agent]: 1 });
    expect(all.capped).toEqual([]);
    // The outcome facet ignores its own filter; the agent facet is narrowed by it (the session is one or the other).
    const [denied, clean] = await Promise.all([facets("denied"), facets("clean")]);
    expect(denied.counts.outcome).toEqual(all.counts.outcome);
    expect([denied.counts.agent[agent] ?? 0, clean.counts.agent[agent] ?? 0].sort()).toEqual([0, 1]);
    const a = await auditFacets({ session, outcome: ["no-such-outcome"] });
    expect(Object.values(a.counts.outcome).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    // The other facets are narrowed by the outcome filter: nothing has that outcome.
    expect(a.counts.tool).toEqual({});
    const b = await auditFacets({ session });
    expect(b.counts.tool["files/read_file"]).toBeGreaterThan(0);
    expect(b.counts.agent[agent]).toBe(b.counts.tool["files/read_file"]);
  });
});

describe("saved views", () => {
  const call = (who: 0 | 1, method: string, path: string, body?: unknown) => api(m.url, tokens[who], method, path, body);
  const stored = async () => (await getPool().query<{ n: number }>("SELECT count(*)::int AS n FROM saved_views")).rows[0].n;

  it("are each user's own: create, list, rename, delete; another user's view is a 404 to change", async () => {
    const made = await call(0, "POST", "/api/v1/views", { page: "sessions", name: "Denied today", query: "?outcome=denied&range=24h&after=abc&entry=x" });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const v = made.body;
    // Position and drawer parameters are not part of a view.
    expect(v).toMatchObject({ page: "sessions", name: "Denied today", query: "outcome=denied&range=24h", href: "/sessions?outcome=denied&range=24h" });
    expect(v.link).toBe(`/views/${v.id}`);
    expect((await call(0, "GET", "/api/v1/views?page=sessions")).body.views.map((x: { id: string }) => x.id)).toEqual([v.id]);
    expect((await call(0, "GET", "/api/v1/views?page=audit")).body.views).toEqual([]);
    expect((await call(1, "GET", "/api/v1/views")).body.views).toEqual([]);
    // The other user cannot change it, but can open it by its id (the /views/<id> page reads it so).
    expect((await call(1, "PATCH", `/api/v1/views/${v.id}`, { name: "mine now" })).status).toBe(404);
    expect((await call(1, "DELETE", `/api/v1/views/${v.id}`)).status).toBe(404);
    expect((await getView(v.id))?.name).toBe("Denied today");
    // The same name on another page, or for another user, is fine; twice on one page is a 409.
    expect((await call(0, "POST", "/api/v1/views", { page: "audit", name: "Denied today", query: "" })).status).toBe(201);
    expect((await call(1, "POST", "/api/v1/views", { page: "sessions", name: "Denied today", query: "" })).status).toBe(201);
    const dup = await call(0, "POST", "/api/v1/views", { page: "sessions", name: "Denied today", query: "" });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toContain('"Denied today"');
    const renamed = await call(0, "PATCH", `/api/v1/views/${v.id}`, { name: "Denies, 24 h" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe("Denies, 24 h");
    expect((await call(0, "DELETE", `/api/v1/views/${v.id}`)).status).toBe(204);
    expect(await getView(v.id)).toBeNull();
    expect((await call(0, "DELETE", `/api/v1/views/${v.id}`)).status).toBe(404);
  });

  it("refuse what they cannot take with a specific 4xx and store nothing", async () => {
    const before = await stored();
    const bad = [
      { page: "policies", name: "x", query: "" },
      { page: "audit", name: "  ", query: "" },
      { page: "audit", name: "a\u0007b", query: "" },
      { page: "audit", name: "x".repeat(81), query: "" },
      { page: "audit", name: "long", query: "a=".repeat(1001) },
      { page: "audit", name: "extra", query: "", owner: "someone" },
    ];
    for (const body of bad) expect((await call(0, "POST", "/api/v1/views", body)).status, JSON.stringify(body)).toBe(400);
    expect((await call(0, "GET", "/api/v1/views?page=nope")).status).toBe(400);
    expect((await call(0, "PATCH", "/api/v1/views/not-a-uuid", { name: "x" })).status).toBe(404);
    expect(await stored()).toBe(before);
    expect(await getView("not-a-uuid")).toBeNull();
  });
});
