/**
 * The migration that partitions audit_entries (20261210020000_audit_partitions), on a database whose log
 * was written by the previous schema through the production commit path: every row moves byte for byte
 * (PostgreSQL's text of every row, and the columns' names, types and order, identical), `audit verify`
 * gives the same report before and after, each month of entries gets its partition (none left in the
 * default one), and (chain_id, seq) stays unique within a partition.
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditBulkWriter } from "../../lib/audit/bulk-writer.ts";
import { writeCheckpoint } from "../../lib/audit/checkpoints.ts";
import type { AuditEntryInput } from "../../lib/audit/hash.ts";
import { listAuditPartitions } from "../../lib/audit/partitions.ts";
import { verifyAudit, type VerifyReport } from "../../lib/audit/verify.ts";
import { startEmbeddedPostgres, type EmbeddedDb } from "../../lib/db/embedded.ts";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate.ts";
import { closePool, getPool, setDatabaseUrl } from "../../lib/db/pool.ts";
import { freshServerDatabase } from "../support/mandate.ts";

const MIGRATION = "20261210020000_audit_partitions";
let pg: EmbeddedDb | undefined;
const dataDir = mkdtempSync(join(tmpdir(), "mandate-partition-migration-"));
chmodSync(dataDir, 0o711); // the embedded PostgreSQL (run as "postgres" when tests run as root) traverses it

beforeAll(async () => {
  const server = await freshServerDatabase();
  if (server) setDatabaseUrl(server);
  else {
    pg = await startEmbeddedPostgres(join(dataDir, "pg"), () => {});
    setDatabaseUrl(pg.url);
  }
}, 120_000);
afterAll(async () => {
  await closePool();
  await pg?.stop();
});

async function migrate(dir: string): Promise<void> {
  const c = await getPool().connect();
  try {
    await applyMigrations(c, dir);
  } finally {
    c.release();
  }
}

const entry = (i: number, at: Date): AuditEntryInput => ({
  kind: i % 3 ? "admin" : "decision",
  action: "test.partition_migration",
  actor: i % 2 ? "system:test" : 'user:"é"@example.com',
  session_id: i % 3 ? null : `s-${i}`,
  step: i % 3 ? null : i,
  created_at: at.toISOString(),
  data: { i, text: `line ${i}\u2028"q"\\ 😀`, n: i % 2 ? 1e21 : -0.5, nested: [{ b: 1, a: [null, true] }], big: 2 ** 53 + (i % 2) },
});

const rows = async () => (await getPool().query<{ r: string }>(`SELECT e::text AS r FROM audit_entries e ORDER BY chain_id, seq`)).rows.map((x) => x.r);
const columns = async () =>
  (
    await getPool().query(
      `SELECT column_name, data_type, datetime_precision, is_nullable, ordinal_position FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'audit_entries' ORDER BY ordinal_position`,
    )
  ).rows;
const essence = (r: VerifyReport) => ({ ok: r.ok, entries: r.entries, chains: r.chains, firstBroken: r.firstBroken, checkpoints: r.checkpoints });

describe(`migration ${MIGRATION}`, () => {
  it("moves the log written by the previous schema byte for byte; verify reports the same before and after", async () => {
    const previous = mkdtempSync(join(tmpdir(), "mandate-previous-migrations-"));
    for (const name of readdirSync(migrationsDir())) if (name < MIGRATION) cpSync(join(migrationsDir(), name), join(previous, name), { recursive: true });
    await migrate(previous);
    expect((await getPool().query(`SELECT relkind FROM pg_class WHERE relname = 'audit_entries'`)).rows[0].relkind).toBe("r");

    const a = new AuditBulkWriter("test:migration-a", 40);
    const b = new AuditBulkWriter("test:migration-b", 40);
    for (let i = 1; i <= 120; i++) {
      const at = i <= 40 ? new Date(Date.UTC(2025, 1, 1 + (i % 27), 23, 59, 59, i)) : i <= 80 ? new Date(Date.UTC(2025, 2, 31, 23, 59, 59, 999)) : new Date();
      await a.add(entry(i, at));
      if (i % 4 === 0) await b.add(entry(i, new Date(Date.UTC(2025, 2, 1, 0, 0, 0, i))));
    }
    await a.close();
    await b.close();
    await writeCheckpoint(dataDir);
    const before = { rows: await rows(), columns: await columns(), verify: essence(await verifyAudit(dataDir, { workers: 1 })) };
    expect(before.rows).toHaveLength(150);
    expect(before.verify.ok).toBe(true);

    await migrate(migrationsDir());
    expect((await getPool().query(`SELECT relkind FROM pg_class WHERE relname = 'audit_entries'`)).rows[0].relkind).toBe("p");
    expect(await rows()).toEqual(before.rows);
    expect(await columns()).toEqual(before.columns);
    expect(essence(await verifyAudit(dataDir, { workers: 1 }))).toEqual(before.verify);

    const months = (await listAuditPartitions()).map((p) => p.name);
    expect(months).toEqual(expect.arrayContaining(["audit_entries_p202502", "audit_entries_p202503"]));
    expect(months).toContain(`audit_entries_p${new Date().toISOString().slice(0, 7).replace("-", "")}`);
    expect(Number((await getPool().query(`SELECT count(*) AS n FROM audit_entries_default`)).rows[0].n)).toBe(0);
    const split = await getPool().query(`SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM audit_entries GROUP BY 1 ORDER BY 1`);
    expect(split.rows.slice(0, 2)).toEqual([
      { p: "audit_entries_p202502", n: 40 },
      { p: "audit_entries_p202503", n: 70 },
    ]);

    // (chain_id, seq) is each partition's primary key: a second entry 1 of chain a in its month is refused.
    await expect(
      getPool().query(
        `INSERT INTO audit_entries SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id,
                created_at + interval '1 second', data FROM audit_entries WHERE chain_id = $1 AND seq = 1`,
        [a.chainId],
      ),
    ).rejects.toThrow(/duplicate key value violates unique constraint "audit_entries_p202502_pkey"/);
  }, 240_000);
});
