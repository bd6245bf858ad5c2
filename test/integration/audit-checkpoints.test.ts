/**
 * Signed checkpoints catch what the hash chain alone cannot: someone with database access who
 * truncates history, or rewrites an entry AND recomputes every later hash.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeEntryHash } from "../../lib/audit/hash.ts";
import { rowToEntry, verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;

beforeAll(async () => {
  m = await startMandate();
  const key = m.credentials!.agents[0].api_key;
  for (let i = 0; i < 20; i++) {
    await api(m.url, key, "POST", "/api/v1/decisions", {
      session: { id: `cp-${i % 4}` },
      tool: { server: "files", name: "read_file" },
      arguments: { path: `f${i}` },
    });
  }
  const cp = await api(m.url, m.adminToken, "POST", "/api/v1/audit/checkpoints", {});
  expect(cp.status).toBe(201);
  expect(cp.body.heads.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

async function asSuperuser<T>(fn: (c: import("pg").PoolClient) => Promise<T>): Promise<T> {
  const c = await getPool().connect();
  try {
    await c.query("ALTER TABLE audit_entries DISABLE TRIGGER USER");
    return await fn(c);
  } finally {
    await c.query("ALTER TABLE audit_entries ENABLE TRIGGER USER");
    c.release();
  }
}

describe("signed checkpoints", () => {
  it("verify passes on an untouched log", async () => {
    const r = await verifyAudit(m.dataDir);
    expect(r.ok).toBe(true);
    expect(r.checkpoints.count).toBeGreaterThanOrEqual(1);
    expect(r.checkpoints.verified).toBe(r.checkpoints.count);
  });

  it("detects an entry rewritten with every later hash recomputed (the chain itself then verifies)", async () => {
    const decisionChain = (await getPool().query(`SELECT chain_id FROM audit_entries WHERE kind = 'decision' LIMIT 1`)).rows[0].chain_id;
    await asSuperuser(async (c) => {
      const rows = (await c.query(`SELECT * FROM audit_entries WHERE chain_id = $1 ORDER BY seq`, [decisionChain])).rows.map(rowToEntry);
      let prev = rows[4].prev_hash;
      for (const e of rows.slice(4)) {
        const forged = { ...e, prev_hash: prev, ...(e.seq === rows[4].seq ? { outcome: "deny", data: { ...e.data, forged: randomUUID() } } : {}) };
        const { hash: _old, ...content } = forged;
        const hash = computeEntryHash(content);
        await c.query(`UPDATE audit_entries SET prev_hash = $3, hash = $4, outcome = $5, data = $6 WHERE chain_id = $1 AND seq = $2`, [
          e.chain_id,
          e.seq,
          forged.prev_hash,
          hash,
          forged.outcome,
          JSON.stringify(forged.data),
        ]);
        prev = hash;
      }
    });
    const r = await verifyAudit(m.dataDir);
    expect(r.firstBroken).toBeNull(); // the forger recomputed the chain…
    expect(r.ok).toBe(false); // …but the signed checkpoint outside the database disagrees
    expect(r.checkpoints.problems.join("\n")).toMatch(/has another hash — history was rewritten/);
  });

  it("detects a truncated history", async () => {
    await asSuperuser(async (c) => {
      const head = (await c.query(`SELECT chain_id, max(seq) AS seq FROM audit_entries WHERE kind = 'decision' GROUP BY chain_id LIMIT 1`)).rows[0];
      await c.query(`DELETE FROM audit_entries WHERE chain_id = $1 AND seq > $2 - 3`, [head.chain_id, head.seq]);
    });
    const r = await verifyAudit(m.dataDir);
    expect(r.ok).toBe(false);
    expect(r.checkpoints.problems.join("\n")).toMatch(/is missing — history was truncated/);
  });

  it("refuses UPDATE and DELETE on the audit log through the normal path", async () => {
    await expect(getPool().query(`DELETE FROM audit_entries WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(getPool().query(`UPDATE audit_entries SET outcome = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });
});
