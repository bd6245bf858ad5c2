/**
 * AuthZEN transport rules, batch semantics, search paging, stores and PEP keys, the directory as a
 * live PIP, the MCP profile, and the audit log — against a running Mandate over HTTP.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

const RICK = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
const MORTY = "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
const BETH = "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
const user = (id: string) => ({ type: "user", id });
const todoOf = (owner: string) => ({ type: "todo", id: "t-1", properties: { ownerID: owner } });

let m: MandateHandle;
const keys: Record<string, string> = {};

async function cli(...args: string[]): Promise<string> {
  const env = { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir };
  return (await promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), ...args], { cwd: ROOT, env })).stdout;
}

async function az(path: string, body: unknown, opts: { key?: string | null; type?: string; raw?: string; headers?: Record<string, string> } = {}) {
  const key = opts.key === undefined ? keys.todo : opts.key;
  const r = await fetch(`${m.url}${path}`, {
    method: "POST",
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), "content-type": opts.type ?? "application/json", ...opts.headers },
    body: opts.raw ?? JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  m = await startMandate();
  await cli("pack", "load", "examples/authzen-pack");
  for (const store of ["todo", "api-gateway", "mcp"]) keys[store] = (await cli("pep-keys", "create", "--store", store)).trim().split("\n").pop()!;
  await m.settle();
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

describe("transport", () => {
  const ok = { subject: user(RICK), action: { name: "can_read_todos" }, resource: { type: "todo", id: "1" } };

  it("echoes X-Request-ID and answers a deny as 200 {decision: false}", async () => {
    const r = await az("/access/v1/evaluation", { ...ok, subject: user(BETH), action: { name: "can_create_todo" } }, { headers: { "x-request-id": "req-42" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-request-id")).toBe("req-42");
    expect(r.body.decision).toBe(false);
  });

  it("ignores unknown fields", async () => {
    expect((await az("/access/v1/evaluation", { ...ok, foo: "bar", future: { nested: true } })).body.decision).toBe(true);
  });

  it("answers 400 for missing or mistyped members, wrong content type, malformed or empty JSON", async () => {
    const bad = [
      { action: ok.action, resource: ok.resource },
      { ...ok, subject: { id: RICK } },
      { ...ok, subject: { type: "user" } },
      { ...ok, subject: "rick" },
      { ...ok, action: {} },
      { ...ok, action: { name: 123 } },
      { ...ok, resource: { type: "todo" } },
      { ...ok, resource: { id: "1", type: 5 } },
    ];
    for (const b of bad) expect((await az("/access/v1/evaluation", b)).status).toBe(400);
    expect((await az("/access/v1/evaluation", ok, { type: "text/plain" })).status).toBe(400);
    expect((await az("/access/v1/evaluation", null, { raw: "{not json" })).status).toBe(400);
    const empty = await az("/access/v1/evaluation", null, { raw: "" });
    expect(empty.status).toBe(400);
    expect(typeof empty.body).toBe("string");
  });

  it("refuses a body nested deeper than 64 levels with the AuthZEN 400 (status + message), and records nothing", async () => {
    const audited = async () => Number((await getPool().query("SELECT count(*) AS n FROM audit_entries")).rows[0].n);
    const before = await audited();
    // An unknown member is ignored, so only the depth limit can refuse this body.
    const raw = JSON.stringify(ok).replace(/}$/, `,"x":${"[".repeat(70)}${"]".repeat(70)}}`);
    for (const path of ["/access/v1/evaluation", "/access/v1/evaluations", "/access/v1/search/subject", "/stores/todo/access/v1/evaluation"]) {
      const r = await az(path, null, { raw });
      expect(r.status, path).toBe(400);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(r.body).toMatch(/^x(\[0\])+: JSON nested deeper than 64 levels$/);
    }
    expect(await audited()).toBe(before);
  });

  it("answers 401 with WWW-Authenticate for a PEP that failed authentication", async () => {
    for (const key of [null, "mnd_pep_aaaaaaaa_" + "x".repeat(32), m.adminToken]) {
      const r = await az("/access/v1/evaluation", ok, { key });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="mandate-authzen"/);
    }
  });

  it("serves PDP metadata per store (base-path rule) and refuses a key of another store", async () => {
    const root = await (await fetch(`${m.url}/.well-known/authzen-configuration`)).json();
    expect(root.access_evaluation_endpoint).toBe(`${root.policy_decision_point}/access/v1/evaluation`);
    const todo = await (await fetch(`${m.url}/.well-known/authzen-configuration/stores/todo`)).json();
    expect(todo.policy_decision_point).toBe(`${root.policy_decision_point}/stores/todo`);
    expect(todo.search_action_endpoint).toBe(`${todo.policy_decision_point}/access/v1/search/action`);
    expect((await fetch(`${m.url}/.well-known/authzen-configuration/stores/nope`)).status).toBe(404);
    expect((await az("/stores/todo/access/v1/evaluation", ok)).body.decision).toBe(true);
    expect((await az("/stores/api-gateway/access/v1/evaluation", ok)).status).toBe(403);
  });
});

describe("evaluations", () => {
  const base = { subject: user(MORTY), action: { name: "can_update_todo" } };
  const items = [{ resource: todoOf("rick@the-citadel.com") }, { resource: todoOf("morty@the-citadel.com") }, { resource: todoOf("rick@the-citadel.com") }];

  it("applies defaults with per-item overrides, in order", async () => {
    const r = await az("/access/v1/evaluations", {
      ...base,
      resource: { type: "todo", id: "t-0" },
      evaluations: [...items, { action: { name: "can_read_todos" }, resource: { id: "x" }, subject: { id: BETH } }],
    });
    expect(r.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, true, false, true]);
  });

  it("keeps an execute_all batch going past an invalid item", async () => {
    const r = await az("/access/v1/evaluations", {
      ...base,
      resource: todoOf("morty@the-citadel.com"),
      evaluations: [{}, { subject: "x" }, { action: { name: 5 } }],
    });
    expect(r.status).toBe(200);
    expect(r.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, false]);
    expect(r.body.evaluations[1].context.error.status).toBe(400);
  });

  it("short-circuits with deny_on_first_deny and permit_on_first_permit", async () => {
    const deny = await az("/access/v1/evaluations", {
      ...base,
      options: { evaluations_semantic: "deny_on_first_deny" },
      evaluations: [items[1], items[0], items[1]],
    });
    expect(deny.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    const permit = await az("/access/v1/evaluations", { ...base, options: { evaluations_semantic: "permit_on_first_permit" }, evaluations: items });
    expect(permit.body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, true]);
    expect((await az("/access/v1/evaluations", { ...base, options: { evaluations_semantic: "some" }, evaluations: items })).status).toBe(400);
  });

  it("answers a request without evaluations like /evaluation", async () => {
    const r = await az("/access/v1/evaluations", { ...base, resource: todoOf("morty@the-citadel.com"), evaluations: [] });
    expect(r.body.decision).toBe(true);
  });
});

describe("search", () => {
  it("pages subjects; every result evaluates to true", async () => {
    const q = { subject: { type: "user" }, action: { name: "can_create_todo" }, resource: { type: "todo", id: "new" } };
    const found: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await az("/access/v1/search/subject", { ...q, page: { limit: 1, ...(token ? { token } : {}) } });
      expect(r.status).toBe(200);
      found.push(...r.body.results.map((x: { id: string }) => x.id));
      token = r.body.page.next_token;
      if (!token) break;
    }
    expect(found).toHaveLength(3); // rick (admin), morty and summer (editors)
    for (const id of found) expect((await az("/access/v1/evaluation", { ...q, subject: user(id) })).body.decision).toBe(true);
  });

  it("finds actions and resources, and nothing for unknown types", async () => {
    const actions = await az("/access/v1/search/action", { subject: user(BETH), resource: todoOf("beth@the-smiths.com") });
    expect(actions.body.results).toEqual([{ name: "can_read_todos" }]);
    const resources = await az("/access/v1/search/resource", { subject: user(BETH), action: { name: "can_read_user" }, resource: { type: "user" } });
    expect(resources.body.results).toHaveLength(5);
    const none = await az("/access/v1/search/subject", {
      subject: { type: "spaceship" },
      action: { name: "can_read_todos" },
      resource: { type: "todo", id: "1" },
    });
    expect(none.body).toEqual({ results: [], page: { next_token: "", count: 0 } });
    expect((await az("/access/v1/search/resource", { subject: { type: "user" }, action: { name: "x" }, resource: { type: "todo" } })).status).toBe(400);
  });
});

describe("stores, directory and PEP keys", () => {
  it("reads attributes the PEP does not send from the directory, live", async () => {
    const q = { subject: user(BETH), action: { name: "can_create_todo" }, resource: { type: "todo", id: "n" } };
    expect((await az("/access/v1/evaluation", q)).body.decision).toBe(false);
    expect((await az("/access/v1/evaluation", { ...q, subject: { ...q.subject, properties: { roles: ["editor"] } } })).body.decision).toBe(true);
    const path = `/api/v1/stores/todo/directory/user/${BETH}`;
    const before = (await api(m.url, m.adminToken, "GET", path)).body;
    expect((await api(m.url, m.adminToken, "PUT", path, { attrs: { ...before.attrs, roles: ["editor"] } })).status).toBe(200);
    await m.settle();
    expect((await az("/access/v1/evaluation", q)).body.decision).toBe(true);
    await api(m.url, m.adminToken, "PUT", path, { attrs: before.attrs });
    await m.settle();
    expect((await az("/access/v1/evaluation", q)).body.decision).toBe(false);
  });

  it("reloading the pack changes nothing and never touches the MCP store", async () => {
    const mcpBefore = await getPool().query("SELECT id FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'");
    expect(await cli("pack", "load", "examples/authzen-pack")).toMatch(/policy todo@v1 unchanged/);
    const mcpAfter = await getPool().query("SELECT id FROM policy_versions WHERE store_id = 'mcp' AND status = 'active'");
    expect(mcpAfter.rows).toEqual(mcpBefore.rows);
    const stores = (await api(m.url, m.adminToken, "GET", "/api/v1/stores")).body.stores.map((s: { id: string }) => s.id);
    expect(stores).toEqual(expect.arrayContaining(["api-gateway", "mcp", "todo"]));
  });

  it("refuses a revoked PEP key on the next request", async () => {
    const created = await api(m.url, m.adminToken, "POST", "/api/v1/stores/todo/pep-keys", { name: "short-lived" });
    expect(created.status).toBe(201);
    const q = { subject: user(RICK), action: { name: "can_read_todos" }, resource: { type: "todo", id: "1" } };
    expect((await az("/access/v1/evaluation", q, { key: created.body.key })).status).toBe(200);
    await api(m.url, m.adminToken, "POST", `/api/v1/pep-keys/${created.body.key_id}/revoke`, {});
    await m.settle();
    expect((await az("/access/v1/evaluation", q, { key: created.body.key })).status).toBe(401);
  });
});

describe("MCP profile on the mcp store", () => {
  const call = (tool: string, agent: string, session: string) => ({
    subject: { type: "user", id: "alice@example.com" },
    action: { name: "tools/call" },
    resource: { type: "tool", id: tool, properties: { arguments: { customer_id: "c-1" } } },
    context: { agent: { id: agent }, session: { id: session } },
  });

  it("decides tools/call through the native pipeline (session step, audit)", async () => {
    const agent = m.credentials!.agents[0].name;
    const s = `az-${Date.now()}`;
    const r = await az("/access/v1/evaluation", call("crm/get_customer", agent, s), { key: keys.mcp });
    expect(r.body).toMatchObject({ decision: true, context: { outcome: "allow", session: { id: s, step: 1 } } });
    const row = await getPool().query("SELECT actor, data FROM audit_entries WHERE decision_id = $1", [r.body.context.id]);
    expect(row.rows[0].actor).toBe(`agent:${agent}`);
    expect(row.rows[0].data.agent.key_id).toMatch(/^mnd_pep_/);
    const unknown = await az("/access/v1/evaluation", call("crm/get_customer", "no-such-agent", s), { key: keys.mcp });
    expect(unknown.body.decision).toBe(false);
    const other = await az("/access/v1/evaluation", { ...call("crm/get_customer", agent, s), action: { name: "can_read" } }, { key: keys.mcp });
    expect(other.body.decision).toBe(false);
  });

  it("searches without a session as on a fresh one (no step taken)", async () => {
    const agent = { type: "agent", id: m.credentials!.agents[0].name };
    const tools = await az("/access/v1/search/resource", { subject: agent, action: { name: "tools/call" }, resource: { type: "tool" } }, { key: keys.mcp });
    expect(tools.status).toBe(200);
    expect(tools.body.results).toContainEqual({ type: "tool", id: "crm/get_customer" });
    const actions = await az("/access/v1/search/action", { subject: agent, resource: { type: "tool", id: "crm/get_customer" } }, { key: keys.mcp });
    expect(actions.body.results).toContainEqual({ name: "tools/call" });
    const steps = await getPool().query("SELECT count(*)::int AS n FROM sessions WHERE id = 'authzen:search'");
    expect(steps.rows[0].n).toBe(0);
  });
});

describe("audit", () => {
  it("records AuthZEN decisions in the same hash-chained log", async () => {
    const r = await getPool().query("SELECT count(*)::int AS n FROM audit_entries WHERE actor LIKE 'pep:%' AND kind = 'decision'");
    expect(r.rows[0].n).toBeGreaterThan(20);
    expect((await verifyAudit(m.dataDir)).ok).toBe(true);
  });
});
