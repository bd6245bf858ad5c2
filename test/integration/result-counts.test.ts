/**
 * Result counts of the console's lists (issue 16 §2, lib/console/table/count.ts): exact up to a bound,
 * above it PostgreSQL's estimate of the same filtered query (never the table's total). On a seeded history
 * (scripts/seed-history.ts: the production writer), every estimate is within 2× of the exact count, and
 * every count at or below the bound is exact.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../../lib/db/pool.ts";
import { countRows } from "../../lib/console/table/count.ts";
import { countKeyset } from "../../lib/console/table/keyset.ts";
import { auditWhere, type AuditFilters } from "../../lib/audit/queries-filters.ts";
import { auditPageQuery, listAuditEntries } from "../../lib/audit/queries.ts";
import { sessionsSource } from "../../lib/sessions/queries-filters.ts";
import { listSessions } from "../../lib/sessions/queries.ts";
import { ensureAuditPartitions } from "../../lib/audit/partitions.ts";
import type { TableState } from "../../lib/console/table/definition.ts";
import { closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, { cwd: ROOT, env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir } });

beforeAll(async () => {
  m = await startMandate();
  await run(join(ROOT, "node_modules", ".bin", "tsx"), [
    "scripts/seed-history.ts",
    "--sessions",
    "200",
    "--decisions",
    "20000",
    "--long",
    "3000",
    "--days",
    "3",
  ]);
  // What autovacuum does after a large insert, done now so that the estimates do not depend on its timing.
  await getPool().query("ANALYZE");
}, 300_000);
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

const exactAudit = async (f: AuditFilters) => {
  const w = auditWhere(f);
  return Number((await getPool().query<{ n: string }>(`SELECT count(*) AS n FROM audit_entries WHERE ${w.sql}`, w.values)).rows[0].n);
};

describe("result counts", () => {
  it("audit explorer: exact up to the bound, within 2× of exact above it, for selective and non-selective filters", async () => {
    const pool = getPool();
    const one = async (sql: string) => (await pool.query(sql)).rows[0] as Record<string, string>;
    const agent = (await one(`SELECT agent_id FROM audit_entries WHERE agent_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).agent_id;
    const tool = (await one(`SELECT tool FROM audit_entries WHERE tool IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).tool;
    const rareTool = (await one(`SELECT tool FROM audit_entries WHERE tool IS NOT NULL GROUP BY 1 ORDER BY count(*) ASC LIMIT 1`)).tool;
    const long = (await one(`SELECT id FROM sessions ORDER BY step_count DESC LIMIT 1`)).id;
    const day = new Date(Date.now() - 86_400_000).toISOString();
    const cases: Array<[string, AuditFilters]> = [
      ["everything", {}],
      ["decisions", { kind: ["decision"] }],
      ["denied decisions", { kind: ["decision"], outcome: ["deny"] }],
      ["one agent", { agent }],
      ["the busiest tool", { tool: [tool] }],
      ["a rare tool", { tool: [rareTool] }],
      ["agent + tool + deny", { agent, tool: [tool], outcome: ["deny"] }],
      ["failed calls", { outcome: ["error"] }],
      ["admin actions", { kind: ["admin"] }],
      ["the last 24 h", { from: day }],
      ["the longest session", { session: long }],
    ];
    const upTo = 1_000; // low, so that most of these filters are estimated
    let estimated = 0;
    for (const [name, f] of cases) {
      const exact = await exactAudit(f);
      const w = auditWhere(f);
      const c = await countRows(pool, "audit_entries", w.sql, w.values, upTo);
      if (exact <= upTo) expect({ name, ...c }).toEqual({ name, n: exact, exact: true });
      else {
        estimated++;
        expect(c.exact, name).toBe(false);
        expect(c.n / exact, `${name}: estimate ${c.n}, exact ${exact}`).toBeGreaterThanOrEqual(0.5);
        expect(c.n / exact, `${name}: estimate ${c.n}, exact ${exact}`).toBeLessThanOrEqual(2);
      }
    }
    expect(estimated).toBeGreaterThanOrEqual(6);
    // Every partition has the kind × outcome statistics the estimate of "denied decisions" needs: those the
    // migrations made and one made later (a month ahead).
    await ensureAuditPartitions(new Date(Date.UTC(2031, 0, 1)), 0);
    const missing = await pool.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_entries'::regclass AND NOT EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.stxrelid = c.oid)`,
    );
    expect(missing.rows).toEqual([]);
    expect((await pool.query(`SELECT 1 FROM pg_class WHERE relname = 'audit_entries_p203101'`)).rowCount).toBe(1);
    // The explorer's page carries the count of its filters, not of its page (and the bound is 10,000 there).
    const page = await listAuditEntries({ kind: ["decision"], outcome: ["deny"] }, { limit: 50 });
    expect(page.rows.length).toBe(50);
    const denies = await exactAudit({ kind: ["decision"], outcome: ["deny"] });
    expect(page.count).toEqual(denies <= 10_000 ? { n: denies, exact: true } : expect.objectContaining({ exact: false }));
  }, 120_000);

  it("session list: the count of the filters and search, exact, or estimated within 2× above the bound", async () => {
    const state = (filters: Record<string, string[]> = {}, q = ""): TableState => ({ sort: { id: "lastActivity", dir: "desc" }, filters, q, cursor: null });
    const src = sessionsSource();
    const exact = async (where: string) => Number((await getPool().query<{ n: string }>(`SELECT count(*) AS n FROM sessions s WHERE ${where}`)).rows[0].n);
    const all = await exact("TRUE");
    const denied = await exact("s.deny_count > 0");
    expect(await countKeyset(getPool(), src, state())).toEqual({ n: all, exact: true });
    expect(await countKeyset(getPool(), src, state({ outcome: ["denied"] }))).toEqual({ n: denied, exact: true });
    const some = (await getPool().query<{ id: string }>(`SELECT id FROM sessions ORDER BY id LIMIT 1`)).rows[0].id;
    expect(await countKeyset(getPool(), src, state({}, some))).toEqual({ n: 1, exact: true });
    const cases: Array<[Record<string, string[]>, number]> = [
      [{}, all],
      [{ outcome: ["denied"] }, denied],
    ];
    for (const [f, n] of cases) {
      const c = await countKeyset(getPool(), src, state(f), 20);
      expect(c.exact).toBe(false);
      expect(c.n / n).toBeGreaterThanOrEqual(0.5);
      expect(c.n / n).toBeLessThanOrEqual(2);
    }
    const page = await listSessions(state({ outcome: ["denied"] }), 10);
    expect(page.count).toEqual({ n: denied, exact: true });
  }, 60_000);

  it("audit explorer: a combination of filters is answered inside the indexes (no heap row read and thrown away), in the same order as a plain query", async () => {
    const pool = getPool();
    // What autovacuum does after a large insert (the visibility map lets an index-only scan skip the heap).
    await pool.query("VACUUM audit_entries");
    const agents = (await pool.query<{ agent_id: string }>(`SELECT DISTINCT agent_id FROM audit_entries WHERE agent_id IS NOT NULL`)).rows;
    const tools = (await pool.query<{ tool: string }>(`SELECT DISTINCT tool FROM audit_entries WHERE tool IS NOT NULL`)).rows;
    const combos = (
      await pool.query<{ agent_id: string; tool: string; n: string }>(
        `SELECT agent_id, tool, count(*) FILTER (WHERE outcome = 'deny') AS n FROM audit_entries WHERE agent_id IS NOT NULL AND tool IS NOT NULL GROUP BY 1, 2`,
      )
    ).rows;
    const empty = agents
      .flatMap((a) => tools.map((t) => ({ agent: a.agent_id, tool: t.tool })))
      .find((c) => !combos.some((x) => x.agent_id === c.agent && x.tool === c.tool && Number(x.n) > 0));
    const busy = combos.sort((x, y) => Number(y.n) - Number(x.n))[0];
    expect(empty, "a seeded agent never denied on some tool").toBeDefined();
    expect(Number(busy.n)).toBeGreaterThan(60);
    type PlanNode = {
      "Node Type": string;
      "Relation Name"?: string;
      "Actual Rows": number;
      "Rows Removed by Filter"?: number;
      "Heap Fetches"?: number;
      Plans?: PlanNode[];
    };
    const heapRowsThrownAway = (n: PlanNode): number =>
      (n["Node Type"] === "Index Only Scan" ? (n["Heap Fetches"] ?? 0) : n["Relation Name"] ? (n["Rows Removed by Filter"] ?? 0) : 0) +
      (n.Plans ?? []).reduce((a, c) => a + heapRowsThrownAway(c), 0);
    for (const f of [
      { agent: empty!.agent, tool: [empty!.tool], outcome: ["deny"] },
      { agent: busy.agent_id, tool: [busy.tool], outcome: ["deny"] },
    ] satisfies AuditFilters[]) {
      const q = auditPageQuery(f, null, true, 50);
      const plan = (await pool.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.text}`, q.values)).rows[0][
        "QUERY PLAN"
      ][0].Plan;
      expect(heapRowsThrownAway(plan), JSON.stringify(plan)).toBe(0);
      // The rows and their order are a plain query's.
      const w = auditWhere(f);
      const plain = await pool.query<{ chain_id: string; seq: string }>(
        `SELECT chain_id, seq FROM audit_entries WHERE ${w.sql} ORDER BY created_at DESC, chain_id DESC, seq DESC LIMIT 51`,
        w.values,
      );
      const page = await listAuditEntries(f, { limit: 50 });
      expect(page.rows.map((r) => `${r.chainId}:${r.seq}`)).toEqual(plain.rows.slice(0, 50).map((r) => `${r.chain_id}:${r.seq}`));
      expect(page.next !== null).toBe(plain.rows.length > 50);
    }
  }, 60_000);
});
