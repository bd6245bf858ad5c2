/**
 * The /api/v1 routes that the console's policy editor, users page and account page call (the console
 * has no other way to change anything): bad input is a specific 4xx that changes nothing, and a change
 * is audited with the acting user, as the server actions it replaced did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { approvalQueue, pendingApprovalCount } from "../../lib/sessions/queries-approvals.ts";
import { api, closeTestDb, DEFAULT_POLICY, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let adminEmail: string;
const PERMIT = "permit (principal, action, resource);";

beforeAll(async () => {
  m = await startMandate();
  adminEmail = (await getPool().query("SELECT email FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1")).rows[0].email;
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

const versions = async () => (await getPool().query("SELECT count(*)::int AS n FROM policy_versions")).rows[0].n;

describe("the console's policy, user and token routes", () => {
  it("refuse what they cannot take with a specific 4xx, and change nothing", async () => {
    const before = await versions();
    // A replay of a text that does not parse: 422 (the server action answered "something went wrong").
    const replay = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/replay", { text: "permit (", days: 1 });
    expect(replay.status).toBe(422);
    expect(replay.body.detail).toContain("does not parse");
    // A test case that is not one: 400 naming the field, as the editor shows it.
    const tests = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/tests", { text: PERMIT, tests: [{ name: "x" }] });
    expect(tests.status).toBe(400);
    expect(tests.body.errors[0].path).toMatch(/^tests\.0\./);
    const draft = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/drafts", { text: "", tests: [] });
    expect(draft.status).toBe(400);
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/rollback", { version: 0 })).status).toBe(400);
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/replay-retention", { days: 91 })).status).toBe(400);
    expect(await versions()).toBe(before);
    // A user id that is not a UUID names no user.
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/users/not-a-uuid/disable", {})).status).toBe(404);
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/users", { email: "not-an-email", role: "viewer" })).status).toBe(400);
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/account/tokens/mnd_pt_none/revoke", {})).status).toBe(404);
  });

  it("refuse to publish while a stored test case fails, unless an override note says why (audited); a rollback needs a reason", async () => {
    const publish = (body: Record<string, unknown>) => api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/publish", body);
    const reads = {
      name: "support reads a customer",
      agent: "support-assistant",
      tool: "crm/get_customer",
      arguments: { customer_id: "c-1" },
      expect: "allow",
    };
    // A version with a passing suite becomes active, and its suite is stored with it.
    const v1 = await publish({ text: DEFAULT_POLICY, tests: [reads] });
    expect(v1.status).toBe(201);
    const noCrm = `${DEFAULT_POLICY}\n@id("no-crm") forbid (principal, action, resource) when { resource.server == "crm" };\n`;
    // Sent without tests: the stored suite still runs, and fails.
    const before = await versions();
    const refused = await publish({ text: noCrm });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: "https://mandate.dev/problems/policy_tests_failing",
      errors: [{ path: "tests.support reads a customer", message: "expected allow, got deny" }],
    });
    // A suite sent without that case cannot drop it either.
    expect((await publish({ text: noCrm, tests: [] })).status).toBe(409);
    expect(await versions()).toBe(before);
    // An override note publishes it, and the audit entry keeps the note and the failing cases.
    const forced = await publish({ text: noCrm, override_note: "CRM outage: reads must stop" });
    expect(forced.status).toBe(201);
    const entry = await getPool().query("SELECT data FROM audit_entries WHERE action = 'policy.publish' ORDER BY created_at DESC LIMIT 1");
    expect(entry.rows[0].data).toMatchObject({
      version: forced.body.version,
      override_note: "CRM outage: reads must stop",
      failing_tests: ["support reads a customer"],
    });
    // Rollback: a reason is required, audited; the version keeps its original publisher.
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/rollback", { version: v1.body.version })).status).toBe(400);
    const back = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/rollback", { version: v1.body.version, reason: "outage over" });
    expect(back.status).toBe(200);
    const rb = await getPool().query("SELECT data FROM audit_entries WHERE action = 'policy.rollback' ORDER BY created_at DESC LIMIT 1");
    expect(rb.rows[0].data).toMatchObject({ version: v1.body.version, reason: "outage over" });
    const row = await getPool().query("SELECT status, published_by FROM policy_versions WHERE store_id = 'mcp' AND version = $1", [v1.body.version]);
    expect(row.rows[0]).toEqual({ status: "active", published_by: `user:${adminEmail}` });
  });

  it("a draft, a retention and a new user are audited with the acting user", async () => {
    const draft = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/drafts", { text: PERMIT, tests: [], note: "from the API" });
    expect(draft.status).toBe(201);
    const retention = await api(m.url, m.adminToken, "POST", "/api/v1/policies/mcp/replay-retention", { days: 3 });
    expect(retention).toMatchObject({ status: 200, body: { days: 3 } });
    const user = await api(m.url, m.adminToken, "POST", "/api/v1/users", { email: "new@console-api.test", role: "viewer" });
    expect(user.status).toBe(201);
    expect(user.body.password).toEqual(expect.any(String));
    const audit = await getPool().query("SELECT action, actor FROM audit_entries WHERE action IN ('settings.replay_retention', 'user.create')");
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: "settings.replay_retention", actor: `user:${adminEmail}` },
        { action: "user.create", actor: `user:${adminEmail}` },
      ]),
    );
  });

  it("store each display preference on its own for the calling user; refuse an empty, unknown or extra one", async () => {
    const stored = async () =>
      (await getPool().query("SELECT display_time_zone, approvals_view FROM users WHERE email = $1", [adminEmail])).rows[0] as Record<string, unknown>;
    const prefs = (body: unknown) => api(m.url, m.adminToken, "POST", "/api/v1/account/preferences", body);
    const before = await stored();
    for (const bad of [{}, { approvals_view: "grid" }, { time_zone: "Mars/Olympus" }, { approvals_view: "table", theme: "dark" }]) {
      const r = await prefs(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await stored()).toEqual(before);
    expect(await prefs({ approvals_view: "table" })).toMatchObject({ status: 200, body: { time_zone: "UTC", approvals_view: "table" } });
    expect(await prefs({ time_zone: "Europe/Berlin" })).toMatchObject({ status: 200, body: { time_zone: "Europe/Berlin", approvals_view: "table" } });
    expect(await stored()).toEqual({ display_time_zone: "Europe/Berlin", approvals_view: "table" });
    expect(await prefs({ time_zone: "UTC", approvals_view: "cards" })).toMatchObject({ status: 200, body: { time_zone: "UTC", approvals_view: "cards" } });
    expect(await stored()).toEqual({ display_time_zone: null, approvals_view: null });
  });

  it("the approvals queue reports what became of the approvals it watches, and the badge counts what waits", async () => {
    const key = m.credentials!.agents[0].api_key;
    const held = async (i: number) => {
      const r = await api(m.url, key, "POST", "/api/v1/decisions", {
        session: { id: `queue-watch-${i}` },
        tool: { server: "files", name: "delete_file" },
        arguments: { path: `w/${i}.bin` },
      });
      expect(r.body.decision).toBe("require_approval");
      return r.body.approval.id as string;
    };
    const [a, b] = [await held(1), await held(2)];
    const count = await pendingApprovalCount();
    expect(count.pending).toBeGreaterThanOrEqual(2);
    expect(count.newest?.id).toBe(b);
    expect((await api(m.url, m.adminToken, "POST", `/api/v1/approvals/${a}/decision`, { decision: "deny", comment: "no" })).status).toBe(200);
    const q = await approvalQueue([a, b]);
    expect(q.pending.map((p) => p.id)).toContain(b);
    expect(q.watched).toEqual([expect.objectContaining({ id: a, status: "denied", decidedBy: adminEmail, comment: "no" })]);
    expect((await pendingApprovalCount()).pending).toBe(count.pending - 1);
  });
});
