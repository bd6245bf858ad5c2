/**
 * Persistence on a real PostgreSQL (no node): what an admin action writes through Prisma commits, or
 * rolls back, in one transaction with its audit entry, on the admin chain's connection; a session's
 * row reads back alike through both of its readers.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAction, type AdminAudit } from "../../lib/audit/admin-action.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { startEmbeddedPostgres, type EmbeddedDb } from "../../lib/db/embedded.ts";
import { applyMigrations } from "../../lib/db/migrate.ts";
import { closePool, getPool, setDatabaseUrl } from "../../lib/db/pool.ts";
import { db } from "../../lib/db/prisma.ts";
import { getSession } from "../../lib/sessions/queries.ts";
import { loadSession } from "../../lib/sessions/session-cache.ts";

let pg: EmbeddedDb;

beforeAll(async () => {
  pg = await startEmbeddedPostgres(mkdtempSync(join(tmpdir(), "mandate-persistence-")), () => {});
  setDatabaseUrl(pg.url);
  const c = await getPool().connect();
  try {
    await applyMigrations(c);
  } finally {
    c.release();
  }
});

afterAll(async () => {
  await closePool();
  await pg?.stop();
});

async function auditEntries(action: string): Promise<number> {
  const r = await getPool().query<{ n: number }>("SELECT count(*)::int AS n FROM audit_entries WHERE action = $1", [action]);
  return r.rows[0].n;
}

/** An entry of a made-up action: these tests are about the transaction, not the audit format. */
function testEntry(action: string, columns: { agent_id?: string } = {}): AdminAudit {
  return { kind: "admin", action, actor: "test", data: {}, ...columns } as unknown as AdminAudit;
}

async function setting(key: string) {
  return db().setting.findUnique({ where: { key } });
}

describe("an admin action's Prisma writes", () => {
  it("run on the action's connection, unseen by others until they commit with the audit entry", async () => {
    const seenOutside = await adminAction(noNode(), async (tx, orm) => {
      await orm((d) => d.setting.create({ data: { key: "persist.commit", value: { v: 1 } } }));
      const inside = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM settings WHERE key = 'persist.commit'");
      expect(inside.rows[0].n).toBe(1);
      const pids = await Promise.all([
        tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"),
        orm((d) => d.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`),
      ]);
      expect(pids[1][0].pid).toBe(pids[0].rows[0].pid);
      return { result: await setting("persist.commit"), audit: testEntry("test.persist_commit") };
    });
    expect(seenOutside).toBeNull();
    expect((await setting("persist.commit"))?.value).toEqual({ v: 1 });
    expect(await auditEntries("test.persist_commit")).toBe(1);
  });

  it("roll back when the action fails after them", async () => {
    const failed = adminAction(noNode(), async (_tx, orm) => {
      await orm((d) => d.setting.create({ data: { key: "persist.throw", value: 1 } }));
      throw new Error("the action fails after its write");
    });
    await expect(failed).rejects.toThrow("the action fails after its write");
    expect(await setting("persist.throw")).toBeNull();
  });

  it("roll back when the audit entry cannot be appended", async () => {
    const failed = adminAction(noNode(), async (_tx, orm) => {
      await orm((d) => d.setting.create({ data: { key: "persist.audit", value: 1 } }));
      // agent_id is a uuid column: mandate_commit refuses this entry, so nothing may commit.
      return { result: null, audit: testEntry("test.persist_audit", { agent_id: "not-a-uuid" }) };
    });
    await expect(failed).rejects.toThrow();
    expect(await setting("persist.audit")).toBeNull();
    expect(await auditEntries("test.persist_audit")).toBe(0);
  });

  it("roll back when a Prisma call fails, and the next action still commits", async () => {
    await adminAction(noNode(), async (_tx, orm) => {
      await orm((d) => d.setting.create({ data: { key: "persist.dup", value: 1 } }));
      return { result: null, audit: testEntry("test.persist_dup") };
    });
    const dup = adminAction(noNode(), async (_tx, orm) => {
      await orm((d) => d.setting.create({ data: { key: "persist.before_dup", value: 1 } }));
      await orm((d) => d.setting.create({ data: { key: "persist.dup", value: 2 } }));
      return { result: null, audit: testEntry("test.persist_dup") };
    });
    await expect(dup).rejects.toMatchObject({ code: "P2002" });
    expect(await setting("persist.before_dup")).toBeNull();
    expect((await setting("persist.dup"))?.value).toBe(1);
    expect(await auditEntries("test.persist_dup")).toBe(1);
  });

  it("omit secret columns unless asked for", async () => {
    await db().user.create({ data: { email: "omit@example.com", role: "viewer", passwordHash: "h" } });
    const u = await db().user.findUnique({ where: { email: "omit@example.com" } });
    expect(u).not.toHaveProperty("passwordHash");
    const withHash = await db().user.findUnique({ where: { email: "omit@example.com" }, omit: { passwordHash: false } });
    expect(withHash?.passwordHash).toBe("h");
  });
});

describe("a session's row", () => {
  it("is mapped alike by the decision path's cache and the console", async () => {
    const agent = await db().agent.create({ data: { name: "row-mapping" } });
    const at = "2026-12-06T10:00:00.000Z";
    const session = {
      id: "s-row-mapping",
      agent_id: agent.id,
      expected: 0,
      expected_status: "active",
      expected_granted: 0,
      step_count: 3,
      labels: ["pii"],
      tools_used: ["srv/a"],
      initiator: "user:i@example.com",
      initiator_verified: true,
      denies: 1,
      approvals: 0,
      at,
      observed_labels: ["pii"],
    };
    await getPool().query("SELECT mandate_commit($1::jsonb)", [JSON.stringify({ sessions: [session] })]);
    const cached = await loadSession(session.id);
    const shown = await getSession(session.id);
    const common = {
      id: session.id,
      agentId: agent.id,
      initiator: session.initiator,
      initiatorVerified: true,
      stepCount: 3,
      labels: ["pii"],
      toolsUsed: ["srv/a"],
      status: "active",
    };
    expect(cached).toEqual({
      ...common,
      exists: true,
      terminatedReason: null,
      startedAt: Date.parse(at),
      approvalsGranted: 0,
      observedLabels: ["pii"],
      counters: {},
      consecutiveFailures: 0, // no outcome reported yet (session_failure_streaks, issue 15 §3)
    });
    expect(shown).toEqual({
      ...common,
      agentName: "row-mapping",
      denyCount: 1,
      approvalCount: 0,
      startedAt: at,
      lastActivityAt: at,
      terminatedAt: null,
      terminatedReason: null,
      terminatedBy: null,
      agentSuspended: false,
      // Computed when read (lib/sessions/risk.ts; its own tests check the figures).
      risk: { score: expect.any(Number), parts: expect.any(Object), explain: expect.any(String) },
    });
  });
});

describe("a pooled connection lost while it is checked out", () => {
  it("does not end the process: its holder gets an error from its next query, and the pool replaces it", async () => {
    // A fault-suite worker died of this: PostgreSQL cut the connection between two queries of a holder,
    // the connection emitted 'error' with no listener, and Node ended the process.
    const held = await getPool().connect();
    const pid = (await held.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid;
    const gone = new Promise<void>((r) => held.once("end", () => r()));
    await getPool().query("SELECT pg_terminate_backend($1)", [pid]);
    await gone;
    await expect(held.query("SELECT 1")).rejects.toThrow();
    held.release();
    expect((await getPool().query<{ one: number }>("SELECT 1 AS one")).rows[0].one).toBe(1);
  });
});
