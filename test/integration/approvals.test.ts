/**
 * Human approvals end to end: require_approval → poll/long-poll → approve/deny by an analyst → the
 * retried call is re-evaluated; other arguments, other sessions and expired approvals are not covered;
 * decided exactly once; audited; webhooks retried with visible status.
 */
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { createApiToken, createUser } from "../../lib/identity/users.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { api, closeTestDb, freePort, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let key: string, otherKey: string, analyst: string, viewer: string, analystEmail: string;
let hook: Server;
const hooks: Array<{ event: string; body: any }> = [];
let hookRequests = 0;

const del = (session: string, args: Record<string, unknown>, k = key) =>
  api(m.url, k, "POST", "/api/v1/decisions", { session: { id: session }, tool: { server: "files", name: "delete_file" }, arguments: args });
const decideApproval = (id: string, decision: "approve" | "deny", token = analyst, comment?: string) =>
  api(m.url, token, "POST", `/api/v1/approvals/${id}/decision`, { decision, ...(comment ? { comment } : {}) });
const getApproval = (id: string, token = key, wait?: number) => api(m.url, token, "GET", `/api/v1/approvals/${id}${wait ? `?wait=${wait}` : ""}`);

async function user(role: "analyst" | "viewer") {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
  const u = await createUser(noNode(), { email, role }, "test:setup");
  return { email, token: (await createApiToken(noNode(), u.id, role, "test:setup", 1)).secret };
}

beforeAll(async () => {
  const port = await freePort();
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hookRequests++;
      if (hookRequests === 1) return res.writeHead(500).end("try again");
      hooks.push({ event: String(req.headers["x-mandate-event"]), body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(port, "127.0.0.1", () => r()));
  m = await startMandate({ env: { MANDATE_APPROVAL_WEBHOOK: `http://127.0.0.1:${port}/hooks/secret-path` } });
  [key, otherKey] = m.credentials!.agents.map((a) => a.api_key);
  const a = await user("analyst");
  analyst = a.token;
  analystEmail = a.email;
  viewer = (await user("viewer")).token;
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
  hook?.close();
});

describe("approve", () => {
  it("gates, lets an analyst approve once, and allows exactly the approved call once", async () => {
    const s = `ap-${randomUUID()}`;
    const r = await del(s, { path: "report.txt" });
    expect(r.body.decision).toBe("require_approval");
    const { id, poll_url } = r.body.approval;
    expect(poll_url).toBe(`${m.url}/api/v1/approvals/${id}`);
    const mine = await getApproval(id);
    expect(mine.body).toMatchObject({ id, status: "pending", session: { id: s, step: 1 }, tool: "files/delete_file", agent: { name: "support-assistant" } });
    expect((await getApproval(id, otherKey)).status).toBe(404);
    expect((await decideApproval(id, "approve", viewer)).status).toBe(403);
    expect((await decideApproval(id, "approve", key)).status).toBe(403);

    const ok = await decideApproval(id, "approve", analyst, "looks fine");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "approved", decided_by: analystEmail, comment: "looks fine" });
    const again = await decideApproval(id, "deny", m.adminToken);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain(`approved by ${analystEmail}`);

    const retry = await del(s, { path: "report.txt" });
    expect(retry.body.decision).toBe("allow");
    expect(retry.body.reasons[0].policy).toBe("mandate.approval");
    expect((await getApproval(id)).body.status).toBe("used");
    expect((await del(s, { path: "report.txt" })).body.decision).toBe("require_approval");

    const audit = await getPool().query("SELECT action, actor FROM audit_entries WHERE kind = 'approval' AND data->>'approval_id' = $1", [id]);
    expect(audit.rows).toEqual([{ action: "approval.approve", actor: `user:${analystEmail}` }]);
  });

  it("does not cover other arguments, another session, or an expired approval", async () => {
    const s = `ap-${randomUUID()}`;
    const r = await del(s, { path: "a.txt" });
    await decideApproval(r.body.approval.id, "approve");
    const other = await del(s, { path: "b.txt" });
    expect(other.body.decision).toBe("require_approval");
    expect(other.body.approval.id).not.toBe(r.body.approval.id);
    expect((await del(`elsewhere-${randomUUID()}`, { path: "a.txt" })).body.decision).toBe("require_approval");
    expect((await getApproval(r.body.approval.id)).body.status).toBe("approved");
    await getPool().query("UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1", [r.body.approval.id]);
    expect((await del(s, { path: "a.txt" })).body.decision).toBe("require_approval");
  });

  it("allows the approved call even when the node learnt of the approval from nowhere but the commit", async () => {
    // Decisions look up approved approvals only in sessions that have one granted; the node's cached
    // session says "none". Grant one behind its back (no NOTIFY reaches it: triggers off for this
    // connection, as on a node that missed the notification): the retry must still be allowed, because
    // the commit checks the count the decision saw and the decision is re-evaluated on fresh state.
    const s = `ap-stale-${randomUUID()}`;
    const r = await del(s, { path: "stale.txt" });
    expect(r.body.decision).toBe("require_approval");
    const c = await getPool().connect();
    try {
      await c.query("BEGIN");
      await c.query("SET LOCAL session_replication_role = replica");
      await c.query("UPDATE approvals SET status = 'approved', decided_by = 'elsewhere@example.com', decided_at = now() WHERE id = $1", [r.body.approval.id]);
      await c.query("UPDATE sessions SET approvals_granted = approvals_granted + 1 WHERE id = $1", [s]);
      await c.query("COMMIT");
    } finally {
      c.release();
    }
    const retry = await del(s, { path: "stale.txt" });
    expect(retry.body.decision).toBe("allow");
    expect(retry.body.reasons[0].policy).toBe("mandate.approval");
    expect(retry.body.session.step).toBe(2); // the conflicting attempt wrote nothing
    expect((await getApproval(r.body.approval.id)).body.status).toBe("used");
    const granted = await getPool().query("SELECT approvals_granted FROM sessions WHERE id = $1", [s]);
    expect(granted.rows[0].approvals_granted).toBe(1);
  });

  it("is decided exactly once under concurrent decisions", async () => {
    const r = await del(`ap-${randomUUID()}`, { path: "race.txt" });
    const id = r.body.approval.id;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => decideApproval(id, i % 2 ? "deny" : "approve", i % 3 ? analyst : m.adminToken)));
    expect(results.filter((x) => x.status === 200).length).toBe(1);
    expect(results.filter((x) => x.status === 409).length).toBe(11);
    const audit = await getPool().query("SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'approval' AND data->>'approval_id' = $1", [id]);
    expect(audit.rows[0].n).toBe(1);
  });
});

describe("deny, expiry, long-poll, listing", () => {
  it("a denied approval stays denied and the retried call is not allowed", async () => {
    const s = `dn-${randomUUID()}`;
    const r = await del(s, { path: "x" });
    const d = await decideApproval(r.body.approval.id, "deny", analyst, "no");
    expect(d.body).toMatchObject({ status: "denied", decided_by: analystEmail, comment: "no" });
    expect((await del(s, { path: "x" })).body.decision).toBe("require_approval");
    expect((await getApproval(r.body.approval.id)).body.status).toBe("denied");
  });

  it("expires: read as expired, audited once, and no longer decidable", async () => {
    const s = `ex-${randomUUID()}`;
    const r = await del(s, { path: "x" });
    const id = r.body.approval.id;
    await getPool().query("UPDATE approvals SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    const reads = await Promise.all([getApproval(id), getApproval(id, analyst), getApproval(id)]);
    expect(reads.map((x) => x.body.status)).toEqual(["expired", "expired", "expired"]);
    const late = await decideApproval(id, "approve");
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain("expired");
    const audit = await getPool().query("SELECT actor FROM audit_entries WHERE action = 'approval.expire' AND data->>'approval_id' = $1", [id]);
    expect(audit.rows).toEqual([{ actor: "system" }]);
    expect((await del(s, { path: "x" })).body.decision).toBe("require_approval");
  });

  it("long-polls until a human decides", async () => {
    const r = await del(`lp-${randomUUID()}`, { path: "x" });
    const t0 = Date.now();
    const [polled] = await Promise.all([
      getApproval(r.body.approval.id, key, 20),
      new Promise((res) => setTimeout(res, 400)).then(() => decideApproval(r.body.approval.id, "approve")),
    ]);
    expect(polled.body.status).toBe("approved");
    expect(Date.now() - t0).toBeLessThan(4000);
    const quick = await getApproval(r.body.approval.id, key, 5);
    expect(quick.body.status).toBe("approved");
    expect((await api(m.url, key, "GET", `/api/v1/approvals/${r.body.approval.id}?wait=99`)).status).toBe(400);
  });

  it("lists pending approvals for users only", async () => {
    const s = `ls-${randomUUID()}`;
    const r = await del(s, { path: "x" });
    const list = await api(m.url, viewer, "GET", `/api/v1/approvals?status=pending&session_id=${s}`);
    expect(list.body.approvals.map((a: { id: string }) => a.id)).toEqual([r.body.approval.id]);
    expect((await api(m.url, key, "GET", "/api/v1/approvals?status=pending")).status).toBe(403);
    expect((await api(m.url, viewer, "GET", "/api/v1/approvals?status=bogus")).status).toBe(400);
    expect((await getApproval("not-a-uuid", viewer)).status).toBe(404);
  });
});

describe("webhooks", () => {
  it("notifies on created and decided, retries a failed delivery, and shows the status", async () => {
    const r = await del(`wh-${randomUUID()}`, { path: "x" });
    const id = r.body.approval.id;
    await decideApproval(id, "approve", analyst);
    const deadline = Date.now() + 15_000;
    let view: any;
    while (Date.now() < deadline) {
      view = (await getApproval(id, analyst)).body;
      if (view.notifications.length === 2 && view.notifications.every((n: any) => n.status === "delivered")) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(view.notifications.map((n: any) => [n.event, n.status])).toEqual(
      expect.arrayContaining([
        ["approval.created", "delivered"],
        ["approval.decided", "delivered"],
      ]),
    );
    expect(JSON.stringify(view.notifications)).not.toContain("secret-path");
    const mine = hooks.filter((h) => h.body.approval?.id === id);
    expect(mine.map((h) => h.event).sort()).toEqual(["approval.created", "approval.decided"]);
    expect(mine[0].body.url).toBe(`${m.url}/approvals/${id}`);
    // The very first delivery of this node was answered 500: it is retried with back-off and delivered.
    let rows: any[] = [];
    while (Date.now() < deadline + 10_000) {
      rows = (await getPool().query("SELECT status, attempts, last_status FROM approval_notifications")).rows;
      if (rows.every((n) => n.status === "delivered")) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(rows.every((n) => n.status === "delivered")).toBe(true);
    expect(Math.max(...rows.map((n) => n.attempts))).toBe(2);
  });
});
