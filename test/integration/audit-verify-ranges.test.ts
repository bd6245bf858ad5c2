/**
 * `audit verify` cut into ranges on worker threads reports what one walk reports (tampering at the
 * first or last entry of a range, a broken link at a boundary, entries missing across a boundary); the
 * incremental mode (since the last trusted checkpoint) detects tampering after it and does not claim to
 * have checked what is before it; the CLI prints progress on stderr and keeps --json clean; the route
 * streams progress as NDJSON. The binary COPY path gives the reference path's bytes (on PostgreSQL's own
 * jsonb text, and on a chain of what it leaves to the reference path), and finds every tampering above
 * at the same entry as one walk.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditBulkWriter } from "../../lib/audit/bulk-writer.ts";
import { writeCheckpoint, type Checkpoint } from "../../lib/audit/checkpoints.ts";
import type { AuditEntryInput } from "../../lib/audit/hash.ts";
import { verifyAudit, type VerifyReport } from "../../lib/audit/verify.ts";
import { out, putJsonb } from "../../lib/audit/canonical-bytes.mjs";
import { canonicalParsedJson } from "../../lib/audit/verify-range.mjs";
import { getPool } from "../../lib/db/pool.ts";
import { PLAIN_KEYS, rng, value } from "../support/json-samples.ts";
import { api, closeTestDb, ROOT, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let chain: string;
let cp: Checkpoint;

const entry = (i: number): AuditEntryInput => ({
  kind: "admin",
  action: "test.verify_ranges",
  actor: i % 3 ? "system:test" : 'user:"é"\n@example.com',
  created_at: new Date(Date.UTC(2026, 0, 1) + i * 1234).toISOString(),
  data: {
    i,
    text: `line ${i}\u2028"q"\\ 😀`,
    n: i % 2 ? 1e21 : -0.5,
    nested: [[i, { b: 1, a: [null, true] }]],
    "10": "ten",
    "9": "nine",
    abcz: 1,
    abcde: 2,
    "abc!": 3,
  },
});

beforeAll(async () => {
  m = await startMandate();
  const w = new AuditBulkWriter("test:verify-ranges", 100);
  chain = w.chainId;
  for (let i = 1; i <= 300; i++) await w.add(entry(i));
  await w.flush();
  await w.flush(); // the last batch committed
  cp = (await writeCheckpoint(m.dataDir))!;
  for (let i = 301; i <= 400; i++) await w.add(entry(i));
  await w.close();
}, 120_000);
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

/** Tampers (the append-only trigger disabled), then puts entries from..to back as they were. */
async function tampered<T>(from: number, to: number, tamper: (c: import("pg").PoolClient) => Promise<unknown>, check: () => Promise<T>): Promise<T> {
  const c = await getPool().connect();
  const saved = (await c.query(`SELECT row_to_json(e) AS r FROM audit_entries e WHERE chain_id = $1 AND seq BETWEEN $2 AND $3`, [chain, from, to])).rows;
  try {
    await c.query("ALTER TABLE audit_entries DISABLE TRIGGER USER");
    await tamper(c);
    return await check();
  } finally {
    await c.query(`DELETE FROM audit_entries WHERE chain_id = $1 AND seq BETWEEN $2 AND $3`, [chain, from, to]);
    await c.query(`INSERT INTO audit_entries SELECT * FROM json_populate_recordset(null::audit_entries, $1::json)`, [JSON.stringify(saved.map((s) => s.r))]);
    await c.query("ALTER TABLE audit_entries ENABLE TRIGGER USER");
    c.release();
  }
}

const ranged = () => verifyAudit(m.dataDir, { workers: 2, rangeSize: 50 });
const oneWalk = () => verifyAudit(m.dataDir, { workers: 1, rangeSize: 1e9 });
const essence = (r: VerifyReport) => ({ ok: r.ok, entries: r.entries, firstBroken: r.firstBroken, chains: r.chains, problems: r.checkpoints.problems });

describe("audit verify in ranges", () => {
  it("an intact log: the same report in ranges on 2 workers as in one walk", async () => {
    const a = await ranged();
    expect(a.ok).toBe(true);
    expect(a.workers).toBe(2);
    expect(a.chains.find((c) => c.chain_id === chain)).toMatchObject({ entries: 400, head_seq: 400, from_seq: 1, broken: null });
    expect(essence(a)).toEqual(essence(await oneWalk()));
  });

  const cases: Array<[string, number, number, number, (c: import("pg").PoolClient) => Promise<unknown>, RegExp]> = [
    [
      "the last entry of a range altered",
      50,
      50,
      50,
      (c) => c.query(`UPDATE audit_entries SET data = data || '{"x":1}' WHERE chain_id = $1 AND seq = 50`, [chain]),
      /^content altered/,
    ],
    [
      "the first entry of a range altered",
      51,
      51,
      51,
      (c) => c.query(`UPDATE audit_entries SET actor = 'x' WHERE chain_id = $1 AND seq = 51`, [chain]),
      /^content altered/,
    ],
    [
      "the link into a range broken",
      51,
      51,
      51,
      (c) => c.query(`UPDATE audit_entries SET prev_hash = repeat('f', 64) WHERE chain_id = $1 AND seq = 51`, [chain]),
      /^link broken/,
    ],
    [
      "the first entry of a range missing",
      51,
      51,
      52,
      (c) => c.query(`DELETE FROM audit_entries WHERE chain_id = $1 AND seq = 51`, [chain]),
      /^entry 51 is missing \(next stored entry is 52\)/,
    ],
    [
      "a whole range missing",
      51,
      100,
      101,
      (c) => c.query(`DELETE FROM audit_entries WHERE chain_id = $1 AND seq BETWEEN 51 AND 100`, [chain]),
      /^entry 51 is missing \(next stored entry is 101\)/,
    ],
    // what the binary COPY path (lib/audit/verify-copy.mjs) writes itself, column by column
    ...(
      [
        ["created_at moved by 1 ms", `created_at = created_at + interval '1 millisecond'`],
        ["step set", `step = 3`],
        ["agent_id set", `agent_id = '3b0e8f1c-7a5e-4a43-9c9f-3c9b1f7e2a11'`],
        ["a nested value changed", `data = jsonb_set(data, '{nested,0,1,b}', '2')`],
        ["a number changed", `data = data || '{"n":1e22}'`],
        ["a string with escapes changed", `data = data || jsonb_build_object('text', (data->>'text') || E'\\t')`],
        ["a timestamp outside the fast path's years (the reference path finds it)", `created_at = '0999-06-01 12:00:00.5+00'`],
      ] as const
    ).map(([name, set], k): (typeof cases)[number] => [
      `${name}`,
      61 + k,
      61 + k,
      61 + k,
      (c) => c.query(`UPDATE audit_entries SET ${set} WHERE chain_id = $1 AND seq = ${61 + k}`, [chain]),
      /^content altered/,
    ]),
  ];
  for (const [name, from, to, at, tamper, reason] of cases)
    it(`${name}: found at the same entry, for the same reason, as one walk finds it`, async () => {
      await tampered(from, to, tamper, async () => {
        const a = await ranged();
        expect(a.ok).toBe(false);
        expect(a.workers).toBe(2);
        expect(a.firstBroken).toMatchObject({ chain_id: chain, seq: at, reason: expect.stringMatching(reason) });
        expect(essence(a)).toEqual(essence(await oneWalk()));
      });
    });

  it("a chain's registration deleted: its entries are reported as a chain that is not registered", async () => {
    const c = await getPool().connect();
    const saved = (await c.query(`SELECT row_to_json(a) AS r FROM audit_chains a WHERE id = $1`, [chain])).rows;
    expect(saved).toHaveLength(1);
    try {
      await c.query(`DELETE FROM audit_chains WHERE id = $1`, [chain]);
      const r = await ranged();
      expect(r.ok).toBe(false);
      expect(r.chains.map((x) => x.chain_id)).not.toContain(chain);
      expect(r.firstBroken).toEqual({ chain_id: chain, seq: 1, reason: "entries belong to a chain that is not registered" });
    } finally {
      await c.query(`INSERT INTO audit_chains SELECT * FROM json_populate_record(null::audit_chains, $1::json)`, [JSON.stringify(saved[0].r)]);
      c.release();
    }
    expect((await ranged()).ok).toBe(true);
  });
});

describe("audit verify --since-checkpoint", () => {
  it("resumes after the last trusted checkpoint and says so", async () => {
    const r = await verifyAudit(m.dataDir, { mode: "since-checkpoint", workers: 2, rangeSize: 50 });
    expect(r.ok).toBe(true);
    expect(r.mode).toBe("since-checkpoint");
    expect(r.from?.checkpoint_id).toBeDefined();
    expect(r.chains.find((c) => c.chain_id === chain)).toMatchObject({ from_seq: 301, entries: 100, head_seq: 400, from_checkpoint: cp.id });
  });

  it("detects tampering after the checkpoint", async () => {
    await tampered(
      350,
      350,
      (c) => c.query(`UPDATE audit_entries SET data = data || '{"x":1}' WHERE chain_id = $1 AND seq = 350`, [chain]),
      async () => {
        const r = await verifyAudit(m.dataDir, { mode: "since-checkpoint" });
        expect(r.ok).toBe(false);
        expect(r.firstBroken).toMatchObject({ chain_id: chain, seq: 350, reason: expect.stringMatching(/^content altered/) });
      },
    );
  });

  it("does not claim to have checked what is before the checkpoint (a full run finds it)", async () => {
    await tampered(
      10,
      10,
      (c) => c.query(`UPDATE audit_entries SET data = data || '{"x":1}' WHERE chain_id = $1 AND seq = 10`, [chain]),
      async () => {
        const r = await verifyAudit(m.dataDir, { mode: "since-checkpoint" });
        expect(r.chains.find((c) => c.chain_id === chain)).toMatchObject({ from_seq: 301, from_checkpoint: cp.id });
        expect(r.firstBroken).toBeNull(); // entry 10 was not recomputed, and the report says from where it checked
        const full = await verifyAudit(m.dataDir);
        expect(full.mode).toBe("full");
        expect(full.firstBroken).toMatchObject({ chain_id: chain, seq: 10 });
      },
    );
  });

  it("a checkpointed head rewritten: that checkpoint is not trusted, and is reported", async () => {
    await tampered(
      300,
      300,
      (c) => c.query(`UPDATE audit_entries SET hash = repeat('e', 64) WHERE chain_id = $1 AND seq = 300`, [chain]),
      async () => {
        const r = await verifyAudit(m.dataDir, { mode: "since-checkpoint" });
        expect(r.ok).toBe(false);
        expect(r.chains.find((c) => c.chain_id === chain)?.from_checkpoint).not.toBe(cp.id);
        expect(r.checkpoints.problems.join("\n")).toContain(`checkpoint ${cp.id}`);
      },
    );
  });
});

describe("progress", () => {
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [join(ROOT, "bin", "mandate.mjs"), "audit", "verify", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: m.databaseUrl, MANDATE_DATA_DIR: m.dataDir },
    });

  it("the CLI prints progress on stderr with --progress, and --json stays the report alone", async () => {
    const { stdout, stderr } = await cli(["--progress", "--json"]);
    const r = JSON.parse(stdout) as VerifyReport;
    expect(r).toMatchObject({ ok: true, mode: "full" });
    expect(stderr).toMatch(new RegExp(`verified ${r.entries.toLocaleString("en")} / [\\d,]+ entries \\(100 %\\), [\\d,]+ entries/s`));
  });

  it("without --progress and off a terminal, nothing on stderr; --since-checkpoint is labelled", async () => {
    const { stdout, stderr } = await cli(["--since-checkpoint"]);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/recomputed \[incremental: from checkpoint [0-9a-f-]+ \(/);
  });

  it("the route streams NDJSON progress then the report; a bad mode is a 400", async () => {
    const res = await fetch(`${m.url}/api/v1/audit/verify`, {
      method: "POST",
      headers: { authorization: `Bearer ${m.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ mode: "since-checkpoint", progress: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; done?: number; total?: number; report?: VerifyReport });
    expect(lines[0]).toMatchObject({ type: "progress", done: 0 });
    expect(lines.at(-1)).toMatchObject({ type: "report", report: { ok: true, mode: "since-checkpoint" } });
    expect((await api(m.url, m.adminToken, "POST", "/api/v1/audit/verify", { mode: "partial" })).status).toBe(400);
  });
});

describe("the binary COPY path writes the reference's bytes", () => {
  it("canonical JSON of PostgreSQL's jsonb text, for 3,000 generated values (half with keys it sorts itself), equals JSON.parse + canonicalParsedJson", async () => {
    const r = rng(18);
    const values = Array.from({ length: 3000 }, (_, i) => JSON.stringify(value(r, 0, i % 2 ? PLAIN_KEYS : undefined))).filter((t) => !t.includes("\\u0000"));
    const rows = (await getPool().query<{ t: string }>(`SELECT v::jsonb::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS x(v, i) ORDER BY i`, [values]))
      .rows;
    expect(rows.length).toBe(values.length);
    let fast = 0;
    for (const { t } of rows) {
      const bytes = Buffer.from(t, "utf8");
      out.pos = 0;
      if (putJsonb(bytes, 0, bytes.length)) fast++;
      const got = out.buf.toString("utf8", 0, out.pos);
      const want = canonicalParsedJson(JSON.parse(t));
      if (got !== want) expect({ t, got }).toEqual({ t, got: want });
    }
    // most values take the fast path (the others: keys with an escape or outside the BMP)
    expect(fast).toBeGreaterThan(values.length / 2);
  });

  it("a chain with what the fast path leaves to the reference (early years, escaped and astral keys) and a 200 KB entry verifies, as one walk", async () => {
    const w = new AuditBulkWriter("test:verify-copy", 10);
    const at = (i: number) => (i % 4 === 0 ? new Date(Date.UTC(999, 5, 1) + i).toISOString() : new Date(Date.UTC(2026, 0, 1) + i).toISOString());
    for (let i = 1; i <= 40; i++)
      await w.add({
        kind: "admin",
        action: "test.verify_copy",
        actor: "system:test",
        created_at: at(i),
        data:
          i === 20
            ? { big: "x".repeat(200_000), list: Array.from({ length: 2000 }, (_, k) => ({ k, v: `é${k}` })) }
            : { "a\nb": i, "😀": [i], z: { y: 1, x: 2 } },
      });
    await w.close();
    const a = await ranged();
    expect(a.ok).toBe(true);
    expect(a.chains.find((c) => c.chain_id === w.chainId)).toMatchObject({ entries: 40, head_seq: 40, broken: null });
    expect(essence(a)).toEqual(essence(await oneWalk()));
  });
});
