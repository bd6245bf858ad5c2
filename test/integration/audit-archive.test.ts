/**
 * Retention without breaking the chain, on a real node and its PostgreSQL: entries of one chain written
 * (through the production commit path, real hashes) in March 2025, April 2025 and now; `mandate audit
 * archive` seals whole months only (refusing the partial one), drops their partitions (audited), and
 * `audit verify` then checks the archives offline and the live log's continuity from them — in full and
 * from-checkpoint modes. A tampered archive, a missing one, and a month whose chain still has older live
 * entries are each refused or reported; the append-only triggers hold on the parent and on partitions.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArchiveManifest } from "../../lib/audit/archive-format.ts";
import { AuditBulkWriter } from "../../lib/audit/bulk-writer.ts";
import { writeCheckpoint } from "../../lib/audit/checkpoints.ts";
import type { AuditEntryInput } from "../../lib/audit/hash.ts";
import { ensureAuditPartitions, listAuditPartitions, liveLogReach } from "../../lib/audit/partitions.ts";
import { retentionTick } from "../../lib/audit/retention.ts";
import { noNode } from "../../lib/runtime/runtime.ts";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let chain: string;
let late: string;
let archiveDir: string;

const entry = (i: number, at: Date): AuditEntryInput => ({
  kind: "admin",
  action: "test.archive",
  actor: i % 2 ? "system:test" : 'user:"é"@example.com',
  created_at: at.toISOString(),
  data: { i, text: `line ${i}\u2028"q"\\ 😀`, n: i % 2 ? 1e21 : -0.5, nested: [{ b: 1, a: [null, true] }] },
});
const day = (y: number, mo: number, d: number, i = 0) => new Date(Date.UTC(y, mo - 1, d, 12, 0, 0, i));

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "audit", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
  });

beforeAll(async () => {
  m = await startMandate();
  archiveDir = join(m.dataDir, "audit-archive");
  await ensureAuditPartitions(day(2025, 3, 1), 1); // March and April 2025
  await ensureAuditPartitions(day(2025, 6, 1), 0); // June 2025
  const w = new AuditBulkWriter("test:archive", 25);
  chain = w.chainId;
  for (let i = 1; i <= 60; i++) await w.add(entry(i, day(2025, 3, 1 + (i % 28), i)));
  for (let i = 61; i <= 120; i++) await w.add(entry(i, day(2025, 4, 1 + (i % 28), i)));
  for (let i = 121; i <= 150; i++) await w.add(entry(i, new Date()));
  await w.close();
  // A chain with an entry in February 2025 (no partition: the default one) and the rest in June.
  const w2 = new AuditBulkWriter("test:archive-late", 10);
  late = w2.chainId;
  await w2.add(entry(1, day(2025, 2, 10)));
  for (let i = 2; i <= 5; i++) await w2.add(entry(i, day(2025, 6, i)));
  await w2.close();
  await writeCheckpoint(m.dataDir);
}, 180_000);
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

const exists = async (rel: string) => (await getPool().query(`SELECT to_regclass($1) IS NOT NULL AS e`, [rel])).rows[0].e as boolean;
const ours = (r: Awaited<ReturnType<typeof verifyAudit>>) => r.chains.find((c) => c.chain_id === chain);

describe("audit archive", () => {
  it("seals whole months only: March before 2025-04-15 (April is partial and kept), its partition dropped and audited", async () => {
    const { stdout } = await cli(["archive", "--before", "2025-04-15"]);
    expect(stdout).toMatch(/Archived audit_entries_p202503: 60 entries of 1 chain\(s\)/);
    expect(await exists("audit_entries_p202503")).toBe(false);
    expect(await exists("audit_entries_p202504")).toBe(true);
    expect(readdirSync(archiveDir).sort()).toEqual(["audit_entries_p202503.manifest.json", "audit_entries_p202503.ndjson.gz"]);
    const man = JSON.parse(readFileSync(join(archiveDir, "audit_entries_p202503.manifest.json"), "utf8")) as ArchiveManifest;
    expect(man).toMatchObject({ entries: 60, from: "2025-03-01T00:00:00.000Z", to: "2025-04-01T00:00:00.000Z" });
    expect(man.chains).toEqual([expect.objectContaining({ chain_id: chain, first_seq: 1, last_seq: 60, entries: 60 })]);
    expect(man.checkpoint.heads).toEqual([{ chain_id: chain, seq: 60, hash: man.chains[0].last_hash }]);
    const audited = await getPool().query(`SELECT actor, data FROM audit_entries WHERE action = 'audit.archive'`);
    expect(audited.rows).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ partition: "audit_entries_p202503", entries: 60, chains: 1, sha256: man.sha256 }) }),
    ]);
    expect(audited.rows[0].actor).toMatch(/^cli:/);

    const r = await verifyAudit(m.dataDir);
    expect(r.archives).toMatchObject({ files: 1, entries: 60, problems: [] });
    expect(ours(r)).toMatchObject({ from_seq: 61, head_seq: 150, entries: 90, broken: null });
    expect(r.ok).toBe(true);
  }, 120_000);

  it("the retention duty archives April (30 days after it ended) once a day; verify passes in full and from-checkpoint modes, and from the CLI", async () => {
    const o = { rt: noNode(), dataDir: m.dataDir, archiveDir, retentionDays: 30, log: () => {} };
    expect(await retentionTick(o, new Date(Date.UTC(2025, 4, 30)))).toBe(0); // 30 days before: April 30, April not over
    expect(await retentionTick(o, new Date(Date.UTC(2025, 5, 1)))).toBe(1);
    expect(await retentionTick(o, new Date(Date.UTC(2025, 5, 1, 12)))).toBe(0); // done today
    expect(
      (await getPool().query(`SELECT actor FROM audit_entries WHERE action = 'audit.archive' AND data->>'partition' = 'audit_entries_p202504'`)).rows,
    ).toEqual([{ actor: "system:retention" }]);
    expect((await listAuditPartitions()).map((p) => p.name)).not.toContain("audit_entries_p202504");
    expect((await listAuditPartitions()).map((p) => p.name)).toContain("audit_entries_p202508"); // months ahead of its "now"
    const full = await verifyAudit(m.dataDir);
    expect(full.ok).toBe(true);
    expect(full.archives).toMatchObject({ files: 2, entries: 120, from: "2025-03-01T00:00:00.000Z", to: "2025-05-01T00:00:00.000Z" });
    expect(ours(full)).toMatchObject({ from_seq: 121, head_seq: 150, broken: null });
    const since = await verifyAudit(m.dataDir, { mode: "since-checkpoint" });
    expect(since.ok).toBe(true);
    expect(since.checkpoints.problems).toEqual([]);
    // What the console's audit page says: the live log reaches back to the February entry left in the default partition.
    expect(await liveLogReach(archiveDir)).toEqual({ from: day(2025, 2, 10), archives: 2, archivedFrom: "2025-03-01T00:00:00.000Z" });
    const out = await cli(["verify"]);
    expect(out.stdout).toMatch(/archives: 2 file\(s\), 120 entries/);
    expect(out.stdout).toMatch(/audit log intact/);
  }, 120_000);

  it("refuses a month whose chain still has older live entries (in the default partition), and keeps it", async () => {
    const r = cli(["archive", "--before", "2025-07-01"]);
    await expect(r).rejects.toMatchObject({
      stderr: expect.stringMatching(new RegExp(`audit_entries_p202506 not archived: older entries of chain ${late} are still live in audit_entries_default`)),
    });
    expect(await exists("audit_entries_p202506")).toBe(true);
    await expect(cli(["archive", "--before", "next week"])).rejects.toMatchObject({ stderr: expect.stringMatching(/--before must be YYYY-MM-DD/) });
  }, 120_000);

  it("detects a tampered archive, a re-hashed one, and a missing one (the live log no longer continues an archive)", async () => {
    const copy = (name: string) => {
      const d = mkdtempSync(join(tmpdir(), `mandate-archive-${name}-`));
      cpSync(archiveDir, d, { recursive: true });
      return d;
    };
    const flipped = copy("flip");
    const gz = readFileSync(join(flipped, "audit_entries_p202504.ndjson.gz"));
    gz[gz.length - 12] ^= 1;
    writeFileSync(join(flipped, "audit_entries_p202504.ndjson.gz"), gz);
    const a = await verifyAudit(m.dataDir, { archiveDir: flipped });
    expect(a.ok).toBe(false);
    expect(a.archives.problems).toEqual([expect.stringMatching(/p202504\.ndjson\.gz: SHA-256 differs from its manifest/)]);

    // An entry altered and the manifest's SHA-256 made to match: the hash recomputed gives it away.
    const edited = copy("edit");
    const file = join(edited, "audit_entries_p202503.ndjson.gz");
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    lines[10] = lines[10].replace('"system:test"', '"system:other"');
    writeFileSync(file, gzipSync(lines.join("\n")));
    const manPath = join(edited, "audit_entries_p202503.manifest.json");
    const man = JSON.parse(readFileSync(manPath, "utf8")) as ArchiveManifest;
    const { createHash } = await import("node:crypto");
    man.sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
    writeFileSync(manPath, JSON.stringify(man));
    const b = await verifyAudit(m.dataDir, { archiveDir: edited });
    expect(b.ok).toBe(false);
    expect(b.archives.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/manifest signature invalid/), expect.stringMatching(/#11: content altered/)]),
    );

    const empty = mkdtempSync(join(tmpdir(), "mandate-archive-none-"));
    const c = await verifyAudit(m.dataDir, { archiveDir: empty });
    expect(c.ok).toBe(false);
    expect(ours(c)?.broken).toMatchObject({ seq: 121, reason: "entry 1 is missing (next stored entry is 121)" });
    expect(existsSync(join(archiveDir, "audit_entries_p202503.ndjson.gz"))).toBe(true);
  }, 120_000);
});

describe("the append-only triggers on a partitioned audit_entries", () => {
  const month = () => `audit_entries_p${new Date().toISOString().slice(0, 7).replace("-", "")}`;
  for (const target of ["audit_entries", "partition", "audit_entries_default"])
    it(`refuse UPDATE, DELETE and TRUNCATE on ${target}`, async () => {
      const t = target === "partition" ? month() : target;
      expect(await exists(t)).toBe(true);
      const n = async () => Number((await getPool().query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
      const before = await n();
      expect(before).toBeGreaterThan(0);
      await expect(getPool().query(`UPDATE ${t} SET actor = 'x'`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
      await expect(getPool().query(`DELETE FROM ${t}`)).rejects.toThrow(/append-only \(DELETE refused\)/);
      await expect(getPool().query(`TRUNCATE ${t}`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
      expect(await n()).toBe(before);
    });
});
