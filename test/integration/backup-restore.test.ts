/**
 * `mandate backup` while a node answers decisions, `mandate restore` onto a fresh data directory, then
 * `mandate audit verify` passes and decisions continue with the same agent keys (issue 19 §4). A damaged
 * backup, a non-empty target and an existing output file are refused and change nothing.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool } from "../../lib/db/pool.ts";
import { api, freshServerDatabase, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let a: MandateHandle;
let b: MandateHandle | undefined;
/** Embedded: each place's own PostgreSQL; on a server: the node's database, and fresh ones to restore into. */
const placeOf = (m: MandateHandle): Place => ({ dataDir: m.dataDir, databaseUrl: process.env.MANDATE_TEST_PG_URL ? m.databaseUrl : undefined });
const work = mkdtempSync(join(tmpdir(), "mandate-backup-test-"));
chmodSync(work, 0o711); // as root, the embedded PostgreSQL runs as another user and must reach its data directory
const backupFile = join(work, "mandate.backup");
const restoredDir = join(work, "restored");
let restored: Place;
let damaged: Place;

/** The data directory and, on a PostgreSQL server (MANDATE_TEST_PG_URL), the database of one Mandate. */
interface Place {
  dataDir: string;
  databaseUrl?: string;
}
function cliEnv(p: Place): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MANDATE_DATA_DIR: p.dataDir };
  if (p.databaseUrl) env.DATABASE_URL = p.databaseUrl;
  else delete env.DATABASE_URL;
  return env;
}
function cli(p: Place, args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/mandate.mjs"), ...args], { cwd: ROOT, env: cliEnv(p), encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function cliAsync(p: Place, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(ROOT, "bin/mandate.mjs"), ...args], { cwd: ROOT, env: cliEnv(p) });
    let out = "";
    let err = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => (err += d));
    c.on("exit", (code) => done({ code, out, err }));
  });
}
const call = (i: number) => ({ session: { id: `backup-s-${i % 7}` }, tool: { server: "files", name: "read_file" }, arguments: { path: `/docs/${i}.md` } });

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(sql)).rows[0].n);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  a = await startMandate();
  restored = { dataDir: restoredDir, databaseUrl: await freshServerDatabase() };
  damaged = { dataDir: join(work, "t1"), databaseUrl: await freshServerDatabase() };
});
afterAll(async () => {
  await closePool();
  await b?.stop();
  await a?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("backup and restore", () => {
  it("backs up under load, restores onto a fresh data directory, verifies, and decisions continue", async () => {
    const key = a.credentials!.agents.find((x) => x.name === "ops-agent")!.api_key;
    // Load: decisions keep being answered while the backup runs.
    let stop = false;
    let answered = 0;
    let first: unknown;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await api(a.url, key, "POST", "/api/v1/decisions", call(i));
        expect(r.status).toBe(200);
        first ??= r.body.decision;
        answered++;
      }
    })();
    while (answered < 20) await new Promise((r) => setTimeout(r, 20));
    const backup = await cliAsync(placeOf(a), ["backup", backupFile]);
    const during = answered;
    while (answered < during + 10) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await load;
    expect(backup.err + backup.code).toMatch(/0$/);
    expect(backup.out).toMatch(/^Backup .*: \d+ rows in \d+ tables, \d+ migrations, files: master\.key, checkpoint-key\.pem/m);
    expect(cli(placeOf(a), ["backup", backupFile]).code).toBe(1); // never overwrites

    const restore = cli(restored, ["restore", backupFile]);
    expect(restore.err + restore.code).toMatch(/0$/);
    expect(restore.out).toMatch(/Restored the backup of /);
    expect(readFileSync(join(restoredDir, "master.key")).equals(readFileSync(join(a.dataDir, "master.key")))).toBe(true);
    const verify = cli(restored, ["audit", "verify"]);
    expect(verify.out + verify.err).toContain("audit log intact");
    expect(verify.code).toBe(0);

    await closePool(); // the test's pool then opens on the restored node's database (its admin token is made there)
    b = await startMandate({ dataDir: restoredDir, databaseUrl: restored.databaseUrl });
    const restoredDecisions = await count(b.databaseUrl, "SELECT count(*) AS n FROM audit_entries WHERE kind = 'decision'");
    const sourceDecisions = await count(a.databaseUrl, "SELECT count(*) AS n FROM audit_entries WHERE kind = 'decision'");
    expect(restoredDecisions).toBeGreaterThanOrEqual(20);
    expect(restoredDecisions).toBeLessThan(sourceDecisions); // the snapshot, not what came after
    const r = await api(b.url, key, "POST", "/api/v1/decisions", call(1000));
    expect(r.status).toBe(200);
    expect(r.body.decision).toBe(first);
    expect(first).toBe("allow");
    const again = await api(b.url, b.adminToken, "POST", "/api/v1/audit/verify", { mode: "full" });
    expect(again.body).toMatchObject({ ok: true, checkpoints: { problems: [] } });
    await b.stop();

    // A second restore onto it is refused: it holds a log now.
    const twice = cli(restored, ["restore", backupFile]);
    expect(twice.code).toBe(1);
    expect(twice.err).toContain("already holds audit entries");
  }, 240_000);

  it("refuses a damaged backup and writes nothing", () => {
    const lines = gunzipSync(readFileSync(backupFile)).toString("utf8").split("\n");
    // A row changed: the trailer's checksum no longer matches.
    const i = lines.findIndex((l) => l.startsWith('["r",') && l.includes('"decision.allow"'));
    const tampered = [...lines];
    tampered[i] = tampered[i].replace('"decision.allow"', '"decision.deny"');
    const bad = join(work, "tampered.backup");
    writeFileSync(bad, gzipSync(tampered.join("\n")));
    const dir1 = damaged.dataDir;
    const r1 = cli(damaged, ["restore", bad]);
    expect(r1.code).toBe(1);
    expect(r1.err).toContain("checksum does not match");
    expect(existsSync(join(dir1, "master.key"))).toBe(false);
    // Cut short: no trailer.
    const cut = join(work, "cut.backup");
    writeFileSync(cut, gzipSync(lines.slice(0, Math.floor(lines.length / 2)).join("\n") + "\n"));
    const r2 = cli(damaged, ["restore", cut]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/truncated/);
    expect(existsSync(join(dir1, "master.key"))).toBe(false);
    // Not a backup at all.
    const junk = join(work, "junk.backup");
    writeFileSync(junk, "hello");
    const r3 = cli(damaged, ["restore", junk]);
    expect(r3.err + r3.code).toMatch(/not a Mandate backup.*\n1$/s);
    // Each refusal rolled back: the (migrated) database there holds no row of the backup.
    expect(existsSync(join(dir1, "checkpoint-key.pem"))).toBe(false);
  }, 120_000);
});
