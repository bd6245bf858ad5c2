/**
 * The history seeds (scripts/seed-history.ts and e2e/support/seed-decisions.ts) write through the shared
 * bulk writer (lib/audit/bulk-writer.ts) with entries made by lib/audit/entries' builders: a few hundred
 * entries of each are seeded into a real node's database, every one must match its kind and action's
 * schema (checkEntry), and `mandate audit verify` must pass.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkEntry, type StoredEntry } from "../../lib/audit/entries/index.ts";
import { getPool } from "../../lib/db/pool.ts";
import { seedDecisions } from "../../e2e/support/seed-decisions.ts";
import { closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, { cwd: ROOT, env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir } });

beforeAll(async () => {
  m = await startMandate();
}, 120_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

async function entriesOf(node: string): Promise<Array<StoredEntry & { chain_id: string; seq: string }>> {
  const r = await getPool().query(`SELECT e.* FROM audit_entries e JOIN audit_chains c ON c.id = e.chain_id WHERE c.node LIKE $1 ORDER BY e.chain_id, e.seq`, [
    `${node}%`,
  ]);
  return r.rows;
}

describe("history seeds", () => {
  it("write entries that match the audit format, and the log verifies", async () => {
    await run(join(ROOT, "node_modules", ".bin", "tsx"), ["scripts/seed-history.ts", "--sessions", "20", "--decisions", "300", "--long", "40", "--days", "2"]);
    expect(await seedDecisions({ sessions: 3, steps: 100, days: 1 })).toBe(300);

    const history = await entriesOf("seed-history:");
    const decisions = await entriesOf("e2e:seed-decisions");
    expect(history.filter((e) => e.kind === "decision").length).toBe(300);
    expect(decisions.length).toBe(300);
    // The simulated history holds every kind the simulation makes (the seed is fixed: --seed 42).
    expect(new Set(history.map((e) => e.kind))).toEqual(new Set(["admin", "decision", "outcome", "approval", "delegation"]));
    const bad = [...history, ...decisions].map((e) => ({ at: `${e.chain_id}:${e.seq}`, check: checkEntry(e) })).filter((x) => !x.check.ok);
    expect(bad).toEqual([]);

    const { stdout } = await run(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "audit", "verify"]);
    expect(stdout).toContain("audit log intact");
  }, 180_000);
});
