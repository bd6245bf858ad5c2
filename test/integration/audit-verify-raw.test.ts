/**
 * `audit verify` reading `data` in jsonb's stored form (`data::bytea`, the cast of migration
 * 20261211020000; lib/audit/jsonb-raw.mjs): it writes the very bytes the text path and the reference
 * write, on PostgreSQL's own storage of generated values and numbers; with the cast present every range
 * takes it; tampering is found at the same entry, for the same reason, as when `data` is read as text
 * (the path used where the cast cannot be created).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditBulkWriter } from "../../lib/audit/bulk-writer.ts";
import { out } from "../../lib/audit/canonical-bytes.mjs";
import { PROBE, PROBE_CANONICAL, putJsonbRaw, Unusual } from "../../lib/audit/jsonb-raw.mjs";
import { readMode } from "../../lib/audit/verify-copy.mjs";
import { canonicalParsedJson, openReader } from "../../lib/audit/verify-range.mjs";
import { verifyAudit, type VerifyReport } from "../../lib/audit/verify.ts";
import { databaseUrl, getPool } from "../../lib/db/pool.ts";
import { PLAIN_KEYS, rng, value } from "../support/json-samples.ts";
import { closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let chain: string;

beforeAll(async () => {
  m = await startMandate();
  const w = new AuditBulkWriter("test:verify-raw", 50);
  chain = w.chainId;
  for (let i = 1; i <= 200; i++)
    await w.add({
      kind: "admin",
      action: "test.verify_raw",
      actor: "system:test",
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 777).toISOString(),
      data: { i, text: `é ${i}\n"q"`, n: [i / 7, -i, 1e21, 0.001], nested: { z: [true, false, null], a: {} }, request_id: null, "10": 1, "9": 2 },
    });
  await w.close();
}, 120_000);
afterAll(async () => {
  await closeTestDb();
  await m?.stop();
});

/** What putJsonbRaw writes of each text's stored jsonb, against JSON.parse + canonicalParsedJson of its jsonb text; and how many it wrote itself. */
async function compare(texts: string[]): Promise<number> {
  const rows = (
    await getPool().query<{ b: Buffer; t: string }>(
      `SELECT v::jsonb::bytea AS b, v::jsonb::text AS t FROM unnest($1::text[]) WITH ORDINALITY AS x(v, i) ORDER BY i`,
      [texts],
    )
  ).rows;
  expect(rows.length).toBe(texts.length);
  let raw = 0;
  for (const { b, t } of rows) {
    out.pos = 0;
    try {
      putJsonbRaw(b, 0, b.length);
    } catch (e) {
      if (!(e instanceof Unusual)) throw e;
      continue;
    }
    raw++;
    const got = out.buf.toString("utf8", 0, out.pos);
    const want = canonicalParsedJson(JSON.parse(t));
    if (got !== want) expect({ t, got }).toEqual({ t, got: want });
  }
  return raw;
}

const essence = (r: VerifyReport) => ({ ok: r.ok, entries: r.entries, firstBroken: r.firstBroken, chains: r.chains, problems: r.checkpoints.problems });

describe("jsonb's stored form", () => {
  it("the migration made the cast, and a connection of this database reads the stored form", async () => {
    const c = await openReader(databaseUrl());
    try {
      expect(await readMode(c)).toBe("raw");
      expect(await readMode(c, "text")).toBe("text");
      const p = await c.query<{ b: Buffer }>(`SELECT $1::jsonb::bytea AS b`, [PROBE]);
      out.pos = 0;
      putJsonbRaw(p.rows[0].b, 0, p.rows[0].b.length);
      expect(out.buf.toString("utf8", 0, out.pos)).toBe(PROBE_CANONICAL);
    } finally {
      await c.end();
    }
  });

  it("3,000 generated values (half with keys it sorts itself) give JSON.parse + canonicalParsedJson's bytes", async () => {
    const r = rng(1811);
    const values = Array.from({ length: 3000 }, (_, i) => JSON.stringify(value(r, 0, i % 2 ? PLAIN_KEYS : undefined))).filter((t) => !t.includes("\\u0000"));
    // the others: a key with an escape or outside the BMP (the range then takes the reference path)
    expect(await compare(values)).toBeGreaterThan(values.length / 2);
  });

  it("numbers: integers around the fast path's bounds, fractions, exponents, negative zero, long numerics", async () => {
    const nums = [
      "0",
      "-0",
      "1",
      "-1",
      "9999",
      "10000",
      "-10000",
      "99999999",
      "100000000",
      "999999999999",
      "1000000000000",
      "123456789012345",
      "1234567890123456",
      "12345678901234567890",
      "-98765432109876543210",
      "0.1",
      "-0.001",
      "0.00001",
      "1.5",
      "100.25",
      "1e21",
      "1e-7",
      "-1.5e-7",
      "1.7976931348623157e308",
      "5e-324",
      "1e400",
      "0.30000000000000004",
      "123.4560",
      "1E+2",
      "-0.0",
      "10000.0001",
      "3.14159265358979323846",
    ];
    const texts = [...nums, `[${nums.join(",")}]`, `{"a":[${nums.join(",")}],"b":{"c":${nums.at(-1)}}}`];
    expect(await compare(texts)).toBe(texts.length);
  });

  it("an object of 100 members (offsets stored every 32nd child) and nested containers", async () => {
    const big = Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`k${(k * 37) % 100}`, k % 3 ? `v${k}` : { n: k, a: [k, [k]] }]));
    expect(await compare([JSON.stringify(big), JSON.stringify([big, [big]]), JSON.stringify({ s: "x".repeat(70_000) })])).toBe(3);
  });
});

describe("verification by the stored form and by the text: the same reports", () => {
  const full = (read?: "text") => verifyAudit(m.dataDir, { workers: 2, rangeSize: 40, read });

  it("an intact log", async () => {
    const a = await full();
    expect(a.ok).toBe(true);
    expect(a.chains.find((c) => c.chain_id === chain)).toMatchObject({ entries: 200, head_seq: 200, broken: null });
    expect(essence(a)).toEqual(essence(await full("text")));
  });

  const tampers: Array<[string, string | string[], number, RegExp]> = [
    ["a nested number changed", `UPDATE audit_entries SET data = jsonb_set(data, '{n,0}', '0.5') WHERE chain_id = $1 AND seq = 77`, 77, /^content altered/],
    ["a key added", `UPDATE audit_entries SET data = data || '{"x":1}' WHERE chain_id = $1 AND seq = 80`, 80, /^content altered/],
    ["a string changed", `UPDATE audit_entries SET data = data || '{"text":"é 81\\n\\"Q\\""}' WHERE chain_id = $1 AND seq = 81`, 81, /^content altered/],
    ["an entry removed", `DELETE FROM audit_entries WHERE chain_id = $1 AND seq = 120`, 121, /^entry 120 is missing/],
    [
      "two entries swapped (seq exchanged)",
      [
        `UPDATE audit_entries SET seq = -seq WHERE chain_id = $1 AND seq IN (150, 151)`,
        `UPDATE audit_entries SET seq = CASE seq WHEN -150 THEN 151 ELSE 150 END WHERE chain_id = $1 AND seq IN (-150, -151)`,
      ],
      150,
      /^link broken|^content altered/,
    ],
  ];
  for (const [name, sql, at, reason] of tampers)
    it(`${name}: found at the same entry as by the text path`, async () => {
      const c = await getPool().connect();
      const saved = (await c.query(`SELECT row_to_json(e) AS r FROM audit_entries e WHERE chain_id = $1 AND seq BETWEEN 70 AND 160`, [chain])).rows;
      expect(saved.length).toBe(91);
      try {
        await c.query("ALTER TABLE audit_entries DISABLE TRIGGER USER");
        for (const q of typeof sql === "string" ? [sql] : sql) await c.query(q, [chain]);
        const a = await full();
        expect(a.ok).toBe(false);
        expect(a.firstBroken).toMatchObject({ chain_id: chain, seq: at, reason: expect.stringMatching(reason) });
        expect(essence(a)).toEqual(essence(await full("text")));
      } finally {
        await c.query(`DELETE FROM audit_entries WHERE chain_id = $1 AND (seq BETWEEN 70 AND 160 OR seq < 0)`, [chain]);
        await c.query(`INSERT INTO audit_entries SELECT * FROM json_populate_recordset(null::audit_entries, $1::json)`, [
          JSON.stringify(saved.map((s) => s.r)),
        ]);
        await c.query("ALTER TABLE audit_entries ENABLE TRIGGER USER");
        c.release();
      }
    });
});
