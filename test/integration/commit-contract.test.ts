/**
 * mandate_commit's JSON input (lib/audit/commit-batch.ts) checked against the function itself, in a real
 * PostgreSQL migrated as production is:
 * - the live definition is where ARCHITECTURE.md and commit-batch.ts say (the latest migration that
 *   defines it, its body identical to the function's source in pg_proc);
 * - the schema's keys and types are the function's `jsonb_to_recordset` column lists;
 * - a batch the schema accepts commits, and what the audit chain really sends is accepted by the schema;
 * - a required field missing is refused by the schema, and the fields whose absence the function itself
 *   tolerates are exactly those listed here; a field the schema lets be null is accepted as null.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuditChain } from "../../lib/audit/chain.ts";
import {
  ApprovalWriteSchema,
  CommitBatchSchema,
  EntryWriteSchema,
  EventWriteSchema,
  SessionWriteSchema,
  ToolCallWriteSchema,
} from "../../lib/audit/commit-batch.ts";
import { GENESIS_HASH, linkEntries } from "../../lib/audit/hash.ts";
import { startEmbeddedPostgres, type EmbeddedDb } from "../../lib/db/embedded.ts";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate.ts";
import { closePool, getPool, setDatabaseUrl } from "../../lib/db/pool.ts";

let db: EmbeddedDb;
let source: string;

beforeAll(async () => {
  db = await startEmbeddedPostgres(mkdtempSync(join(tmpdir(), "mandate-commit-contract-")), () => {});
  setDatabaseUrl(db.url);
  const c = await getPool().connect();
  try {
    await applyMigrations(c);
  } finally {
    c.release();
  }
  const r = await getPool().query<{ prosrc: string }>("SELECT prosrc FROM pg_proc WHERE proname = 'mandate_commit'");
  expect(r.rows).toHaveLength(1);
  source = r.rows[0].prosrc;
});

afterAll(async () => {
  await closePool();
  await db?.stop();
});

const lists = {
  sessions: SessionWriteSchema,
  approvals: ApprovalWriteSchema,
  events: EventWriteSchema,
  tool_calls: ToolCallWriteSchema,
  entries: EntryWriteSchema,
} as const;
type List = keyof typeof lists;

/** The function's column lists: `jsonb_to_recordset(batch->'k') AS x(col type, ...)`, the longest per key. */
function functionColumns(src: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const m of src.matchAll(/jsonb_to_recordset\(\s*(?:COALESCE\()?batch->'(\w+)'[\s\S]*?\)\s+AS\s+\w+\(([^)]*)\)/g)) {
    const cols = Object.fromEntries(
      m[2].split(",").map((c) => {
        const [name, ...type] = c.trim().split(/\s+/);
        return [name, type.join(" ")];
      }),
    );
    if (Object.keys(cols).length > Object.keys(out[m[1]] ?? {}).length) out[m[1]] = cols;
  }
  return out;
}

interface JsonProp {
  type?: string | string[];
  format?: string;
  maximum?: number;
  items?: JsonProp;
  anyOf?: JsonProp[];
}

/** The SQL type a schema's field corresponds to (as the function casts it), and whether it may be null. */
function sqlTypeOf(p: JsonProp): { type: string; nullable: boolean } {
  const alts = p.anyOf ?? [p];
  const types = alts.flatMap((a) => (Array.isArray(a.type) ? a.type.map((t) => ({ ...a, type: t })) : [a]));
  const nonNull = types.filter((t) => t.type !== "null");
  const nullable = nonNull.length < types.length;
  const t = nonNull[0] ?? {};
  const type =
    t.type === "string"
      ? t.format === "uuid"
        ? "uuid"
        : t.format === "date-time"
          ? "timestamptz"
          : "text"
      : t.type === "integer"
        ? t.maximum === 2147483647
          ? "int"
          : "bigint"
        : t.type === "number"
          ? "double precision"
          : t.type === "boolean"
            ? "boolean"
            : t.type === "array" && t.items?.type === "string"
              ? "text[]"
              : t.type === "object" || t.type === undefined
                ? "jsonb"
                : `? ${JSON.stringify(t)}`;
  return { type, nullable };
}

function schemaColumns(list: List): Record<string, { type: string; nullable: boolean }> {
  const props = (z.toJSONSchema(lists[list], { unrepresentable: "any" }) as { properties: Record<string, JsonProp> }).properties;
  return Object.fromEntries(Object.entries(props).map(([k, p]) => [k, sqlTypeOf(p)]));
}

const AT = "2026-12-06T10:00:00.000Z";
const LATER = "2026-12-07T10:00:00.000Z";

/** One valid element of every list: a new session, its decision's entry, an approval, an event, a tool call. */
function sample() {
  const chain = randomUUID();
  const agent = randomUUID();
  const decision = randomUUID();
  const session = `s-${randomUUID()}`;
  const { json } = linkEntries(chain, { seq: 0, hash: GENESIS_HASH }, [
    {
      kind: "decision",
      action: "decision.require_approval",
      actor: "agent:contract",
      session_id: session,
      step: 1,
      agent_id: agent,
      tool: "srv/tool",
      outcome: "require_approval",
      decision_id: decision,
      created_at: AT,
      data: { note: "contract" },
    },
  ]);
  return {
    entries: [JSON.parse(json[0]) as Record<string, unknown>],
    sessions: [
      {
        id: session,
        agent_id: agent,
        expected: 0,
        expected_status: "active",
        expected_granted: 0,
        step_count: 1,
        labels: ["pii"],
        tools_used: ["srv/tool"],
        initiator: "user:a@b.c",
        initiator_verified: false,
        denies: 0,
        approvals: 1,
        at: AT,
      },
    ] as Array<Record<string, unknown>>,
    approvals: [
      {
        id: randomUUID(),
        decision_id: decision,
        session_id: session,
        step: 1,
        agent_id: agent,
        tool: "srv/tool",
        args_hash: "h",
        reasons: [{ code: "approval_required" }],
        expires_at: LATER,
        created_at: AT,
      },
    ] as Array<Record<string, unknown>>,
    events: [{ event_id: `e-${randomUUID()}`, decision_id: decision, status: "ok", duration_ms: 1.5, result_size: 10, error: null, received_at: AT }] as Array<
      Record<string, unknown>
    >,
    tool_calls: [{ tool_id: randomUUID(), n: 1 }] as Array<Record<string, unknown>>,
  };
}
type Batch = ReturnType<typeof sample>;

/** Runs the function on `batch` and rolls back: true when it accepts the batch, false when it refuses it. */
async function accepts(c: pg.PoolClient, batch: unknown): Promise<boolean> {
  await c.query("SAVEPOINT probe");
  try {
    await c.query("SELECT mandate_commit($1::jsonb)", [JSON.stringify(batch)]);
    return true;
  } catch {
    return false;
  } finally {
    await c.query("ROLLBACK TO SAVEPOINT probe");
  }
}

async function inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await getPool().connect();
  try {
    await c.query("BEGIN");
    return await fn(c);
  } finally {
    await c.query("ROLLBACK");
    c.release();
  }
}

describe("mandate_commit's input contract", () => {
  it("has its live definition where ARCHITECTURE.md and commit-batch.ts point", () => {
    const arch = readFileSync(join(import.meta.dirname, "../../ARCHITECTURE.md"), "utf8");
    const pointer = /mandate_commit\(batch jsonb\)`[^`]*?live definition is in\s+`prisma\/migrations\/(\w+)\/migration\.sql`/.exec(arch);
    expect(pointer, "ARCHITECTURE.md names the migration with mandate_commit's live definition").not.toBeNull();
    const name = pointer![1];
    const contract = readFileSync(join(import.meta.dirname, "../../lib/audit/commit-batch.ts"), "utf8");
    expect(contract).toContain(`prisma/migrations/${name}/migration.sql`);
    const defining = readdirSync(migrationsDir())
      .filter((d) => /^\d/.test(d))
      .sort()
      .filter((d) => /FUNCTION mandate_commit\b/.test(readFileSync(join(migrationsDir(), d, "migration.sql"), "utf8")));
    expect(defining.at(-1), "the latest migration defining mandate_commit").toBe(name);
    const sql = readFileSync(join(migrationsDir(), name, "migration.sql"), "utf8");
    const body = /FUNCTION mandate_commit\([\s\S]*?\$\$([\s\S]*?)\$\$/.exec(sql);
    expect(body?.[1]).toBe(source);
  });

  it("lists exactly the keys the function reads, with its types", () => {
    const fn = functionColumns(source);
    expect(Object.keys(fn).sort()).toEqual(Object.keys(lists).sort());
    for (const list of Object.keys(lists) as List[]) {
      const mine = Object.fromEntries(Object.entries(schemaColumns(list)).map(([k, v]) => [k, v.type]));
      expect(mine, list).toEqual(fn[list]);
    }
    expect(source).toContain("batch->'approvals_used'");
    expect(Object.keys(CommitBatchSchema.shape).sort()).toEqual([...Object.keys(lists), "approvals_used"].sort());
  });

  it("commits a batch the schema accepts", async () => {
    const b = sample();
    expect(CommitBatchSchema.safeParse(b).error).toBeUndefined();
    await getPool().query("SELECT mandate_commit($1::jsonb)", [JSON.stringify(b)]);
    const pool = getPool();
    const count = async (sql: string, v: unknown) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, [v])).rows[0].n;
    expect(await count("sessions WHERE id = $1", b.sessions[0].id)).toBe(1);
    expect(await count("approvals WHERE id = $1", b.approvals[0].id)).toBe(1);
    expect(await count("outcome_events WHERE event_id = $1", b.events[0].event_id)).toBe(1);
    expect(await count("audit_entries WHERE hash = $1", b.entries[0].hash)).toBe(1);

    // The next step of that session (an update: expected = the stored step count) also commits.
    const next = { sessions: [{ ...b.sessions[0], expected: 1, step_count: 2, at: LATER }] };
    expect(CommitBatchSchema.safeParse(next).error).toBeUndefined();
    await pool.query("SELECT mandate_commit($1::jsonb)", [JSON.stringify(next)]);
    expect(await count("sessions WHERE step_count = 2 AND id = $1", b.sessions[0].id)).toBe(1);
  });

  it("accepts what the audit chain really sends", async () => {
    const sent: string[] = [];
    const pool = getPool();
    const observed = {
      connect: async () => {
        const c = await pool.connect();
        const query = c.query.bind(c) as (...a: unknown[]) => unknown;
        c.query = ((...a: unknown[]) => {
          const q = a[0] as { name?: string; values?: unknown[] };
          if (q?.name === "mandate_commit") sent.push(q.values![0] as string);
          return query(...a);
        }) as typeof c.query;
        return c;
      },
    } as unknown as pg.Pool;
    const chain = new AuditChain("contract", () => observed);
    const b = sample();
    const { chain_id: _c, seq: _s, prev_hash: _p, hash: _h, ...input } = b.entries[0];
    await chain.submit({
      entries: [input as never],
      sessions: b.sessions as never,
      approvals: b.approvals as never,
      events: b.events as never,
      toolCalls: b.tool_calls as never,
    });
    await chain.close();
    expect(sent).toHaveLength(1);
    expect(CommitBatchSchema.safeParse(JSON.parse(sent[0])).error).toBeUndefined();
  });

  it("refuses every required field missing, in the schema; the function tolerates only the absences listed", async () => {
    // Missing, these are defaulted or skipped by the function (COALESCE, or only read on another path):
    // the schema is their only guard.
    const toleratedByFunction = {
      new: [
        "events.duration_ms",
        "events.error",
        "events.result_size",
        "entries.agent_id",
        "entries.decision_id",
        "entries.outcome",
        "entries.session_id",
        "entries.step",
        "entries.tool",
        "sessions.expected_granted",
        "sessions.expected_status",
        "sessions.initiator",
        "sessions.initiator_verified",
        // NULL arrays: a session the node could not read back as it wrote it.
        "sessions.labels",
        "sessions.tools_used",
        // An UPDATE that matches no tool.
        "tool_calls.n",
        "tool_calls.tool_id",
      ],
      // An update reads neither agent_id nor (when absent) expected_granted; a missing `at` keeps the last
      // activity; tools_used becomes NULL. Missing labels conflict: a write must keep the session's labels.
      update: ["sessions.agent_id", "sessions.at", "sessions.expected_granted", "sessions.initiator", "sessions.initiator_verified", "sessions.tools_used"],
    };
    const tolerated: Record<"new" | "update", string[]> = { new: [], update: [] };
    const b = sample();
    await getPool().query("SELECT mandate_commit($1::jsonb)", [JSON.stringify({ sessions: b.sessions })]);
    await inTransaction(async (c) => {
      for (const path of ["new", "update"] as const) {
        for (const list of Object.keys(lists) as List[]) {
          if (path === "update" && list !== "sessions") continue;
          for (const field of Object.keys(lists[list].shape)) {
            // Optional by design (sessions.observed_labels: only an observation sends it; absent, they are kept).
            if ((lists[list].shape as Record<string, z.ZodType>)[field].safeParse(undefined).success) continue;
            const fresh: Batch = sample();
            const batch: Partial<Batch> = path === "new" ? fresh : { sessions: [{ ...b.sessions[0], expected: 1, step_count: 2 }] };
            const element = { ...(batch[list] as Array<Record<string, unknown>>)[0] };
            delete element[field];
            const broken = { ...batch, [list]: [element] };
            expect(CommitBatchSchema.safeParse(broken).success, `${path}: schema accepts ${list}.${field} missing`).toBe(false);
            if (await accepts(c, broken)) tolerated[path].push(`${list}.${field}`);
          }
        }
      }
    });
    expect(tolerated.new.sort()).toEqual(toleratedByFunction.new.sort());
    expect(tolerated.update.sort()).toEqual(toleratedByFunction.update.sort());
  });

  it("accepts null where the schema does", async () => {
    const refused: string[] = [];
    await inTransaction(async (c) => {
      for (const list of Object.keys(lists) as List[]) {
        for (const [field, col] of Object.entries(schemaColumns(list))) {
          if (!col.nullable) continue;
          const batch: Batch = sample();
          const element = { ...batch[list][0], [field]: null };
          const withNull = { ...batch, [list]: [element] };
          expect(CommitBatchSchema.safeParse(withNull).success, `${list}.${field}`).toBe(true);
          if (!(await accepts(c, withNull))) refused.push(`${list}.${field}`);
        }
      }
    });
    expect(refused).toEqual([]);
  });
});
