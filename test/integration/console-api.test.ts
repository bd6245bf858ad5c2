/**
 * The /api/v1 routes that the console's policy editor, users page and account page call (the console
 * has no other way to change anything): bad input is a specific 4xx that changes nothing, and a change
 * is audited with the acting user, as the server actions it replaced did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

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
});
