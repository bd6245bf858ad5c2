/**
 * POST /api/v1/events with full batches of 1,000 events against a real node: every event recorded
 * once (its row and its audit entry, values exactly as sent), a retried batch records nothing twice, two
 * identical batches at once record each event once, a batch with one invalid event writes nothing, and
 * a full batch with long error texts fits the route's body limit (a larger body is a 413).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../lib/audit/verify.ts";
import { getPool } from "../../lib/db/pool.ts";
import { EVENTS_MAX_BODY_BYTES } from "../../lib/http/routes/data-plane.ts";
import { api, closeTestDb, startMandate, type MandateHandle } from "../support/mandate.ts";

let m: MandateHandle;
let key: string;
let decisions: string[] = [];

beforeAll(async () => {
  m = await startMandate({ console: false });
  key = m.credentials!.agents[0].api_key;
  const session = `events-batch-${randomUUID()}`;
  decisions = [];
  for (let i = 0; i < 20; i++) {
    const r = await api(m.url, key, "POST", "/api/v1/decisions", {
      session: { id: session },
      tool: { server: "files", name: "read_file" },
      // Different arguments: 20 identical calls would trip the default loop policy at the 11th.
      arguments: { path: `a${i}.txt` },
    });
    expect(r.body.decision).toBe("allow");
    decisions.push(r.body.decision_id);
  }
});
afterAll(async () => {
  await m?.stop();
  await closeTestDb();
});

/** 1,000 events; every seventh an error whose text needs escaping in COPY's text format. */
function batch(prefix: string, errorText = (i: number) => `line 1\tcol ${i}\nline 2 \\ back\\slash \r "quoted" é ✓`) {
  return Array.from({ length: 1000 }, (_, i) =>
    i % 7 === 0
      ? { event_id: `${prefix}-${i}`, decision_id: decisions[i % decisions.length], status: "error", duration_ms: i + 0.25, error: errorText(i) }
      : { event_id: `${prefix}-${i}`, decision_id: decisions[i % decisions.length], status: "success", duration_ms: i / 8, result_size: i * 3 },
  );
}

async function stored(prefix: string) {
  const rows = await getPool().query(
    `SELECT event_id, decision_id, status, duration_ms, result_size, error FROM outcome_events WHERE event_id LIKE $1 ORDER BY event_id`,
    [`${prefix}-%`],
  );
  const entries = await getPool().query(
    `SELECT data->>'event_id' AS event_id, decision_id, outcome, data FROM audit_entries WHERE kind = 'outcome' AND data->>'event_id' LIKE $1`,
    [`${prefix}-%`],
  );
  return { rows: rows.rows, entries: entries.rows };
}

describe("outcome events in batches of 1,000", () => {
  it("records every event once, with its audit entry; a retried batch records nothing twice", async () => {
    const prefix = `full-${randomUUID()}`;
    const events = batch(prefix);
    const first = await api(m.url, key, "POST", "/api/v1/events", { events });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 1000, duplicates: 0 });
    const s = await stored(prefix);
    expect(s.rows).toHaveLength(1000);
    expect(s.entries).toHaveLength(1000);
    const byId = new Map(s.rows.map((r) => [r.event_id, r]));
    const entryById = new Map(s.entries.map((e) => [e.event_id, e]));
    for (const e of events) {
      const row = byId.get(e.event_id)!;
      expect({ ...row }).toEqual({
        event_id: e.event_id,
        decision_id: e.decision_id,
        status: e.status,
        duration_ms: e.duration_ms,
        result_size: e.result_size ?? null,
        error: e.error ?? null,
      });
      const entry = entryById.get(e.event_id)!;
      expect(entry.decision_id).toBe(e.decision_id);
      expect(entry.outcome).toBe(e.status);
      expect(entry.data.error).toBe(e.error ?? null);
      expect(entry.data.duration_ms).toBe(e.duration_ms);
    }
    // The gateway retries the same batch (its answer was lost): nothing is recorded twice.
    const again = await api(m.url, key, "POST", "/api/v1/events", { events });
    expect(again.body).toEqual({ accepted: 0, duplicates: 1000 });
    // Half old, half new.
    const mixed = [...events.slice(0, 500), ...batch(`${prefix}-b`).slice(0, 500)];
    expect((await api(m.url, key, "POST", "/api/v1/events", { events: mixed })).body).toEqual({ accepted: 500, duplicates: 500 });
    const after = await stored(prefix);
    expect(after.rows).toHaveLength(1500);
    expect(after.entries).toHaveLength(1500);
    const report = await verifyAudit(m.dataDir);
    expect(report.ok).toBe(true);
  });

  it("records each event once when the same batch is sent twice at once", async () => {
    const prefix = `twice-${randomUUID()}`;
    const events = batch(prefix);
    const answers = await Promise.all([0, 1, 2].map(() => api(m.url, key, "POST", "/api/v1/events", { events })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(1000);
    expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(2000);
    const s = await stored(prefix);
    expect(s.rows).toHaveLength(1000);
    expect(s.entries).toHaveLength(1000);
  });

  it("refuses a batch with one invalid event whole, naming it, and writes nothing", async () => {
    const prefix = `bad-${randomUUID()}`;
    const events: Array<Record<string, unknown>> = batch(prefix);
    events[537] = { ...events[537], status: "done" };
    const r = await api(m.url, key, "POST", "/api/v1/events", { events });
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toContain("application/problem+json");
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(["events.537.status"]);
    const s = await stored(prefix);
    expect(s.rows).toHaveLength(0);
    expect(s.entries).toHaveLength(0);
  });

  it("takes a full batch with long error texts; a body over the limit is a 413", async () => {
    const prefix = `long-${randomUUID()}`;
    // 1,000 errors of 2,000 characters: about 2.2 MB, over the 1 MiB of other routes.
    const long = batch(prefix, (i) => `${i}: ${"stack frame at module.js:1:1 ".repeat(70)}`.slice(0, 2000)).map((e) =>
      e.status === "success" ? { ...e, status: "error", error: "x".repeat(2000), result_size: undefined } : e,
    );
    const body = JSON.stringify({ events: long });
    expect(body.length).toBeGreaterThan(2_000_000);
    const ok = await api(m.url, key, "POST", "/api/v1/events", { events: long });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ accepted: 1000, duplicates: 0 });
    const tooLarge = await fetch(`${m.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ events: long, pad: "x".repeat(EVENTS_MAX_BODY_BYTES) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { type: string }).type).toMatch(/body_too_large$/);
  });
});
