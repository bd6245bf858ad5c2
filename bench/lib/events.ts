/**
 * The outcome-event ingestion rows of `npm run bench`: Mandate's `POST /api/v1/events` in batches of
 * 1,000 events (each answered after its commit: the events and their audit entries durable), and as the
 * ceiling a raw `COPY … FROM STDIN` of the same rows into the same table (`outcome_events`) of the same
 * database, 1,000 rows per COPY (each its own synchronous commit), from as many connections. The two run
 * in interleaved rounds. `npm run bench -- --only events` runs only these rows.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { delta, snapshot, sumDeltas, type CpuDelta } from "./cpu.ts";
import { combine, runLoad, type LoadResult } from "./load.ts";
import { percentile } from "./http-load.ts";
import { rng } from "./workload.ts";

interface EventsBenchOptions {
  /** Batches per round and target. */
  batches: number;
  rounds: number;
  connections: number;
  batchSize: number;
  warmupBatches: number;
}

export const EVENTS_DEFAULTS: EventsBenchOptions = { batches: 100, rounds: 3, connections: 8, batchSize: 1000, warmupBatches: 20 };

interface EventsRow {
  name: string;
  batches: number;
  events: number;
  errors: number;
  eventsPerS: number;
  p50: number;
  p99: number;
  /** CPU µs per event: the whole target (node and PostgreSQL), node, PostgreSQL. */
  cpuUs: number;
  nodeUs: number;
  pgUs: number;
  perRound: number[];
}

interface EventsBenchResult {
  rows: [EventsRow, EventsRow];
  ratio: number;
  /** Rows found after the run: events and outcome audit entries of the Mandate batches, rows copied. */
  stored: { events: number; outcomeEntries: number; copied: number };
  /** Events Mandate answered as accepted (warm-up included). */
  accepted: number;
}

interface Node {
  base: string;
  child: { pid?: number };
  databaseUrl: string;
  agents: Array<{ name: string; api_key: string }>;
}

type EventRow = { event_id: string; decision_id: string; status: "success" | "error"; duration_ms: number; result_size?: number; error?: string };

const ERRORS = [
  "upstream returned 502 Bad Gateway after 1200 ms",
  "tool timed out after 30000 ms (no answer from the MCP server)",
  "permission denied: /srv/data/reports/q3.xlsx",
];

const made = new Map<string, Map<string, string[]>>();

/** The decisions the events are about: allowed calls, `perAgent` for each agent, made through the API (once per node). */
async function makeDecisions(node: Node, perAgent: number): Promise<Map<string, string[]>> {
  const done = made.get(node.base);
  if (done) return done;
  const out = new Map<string, string[]>();
  made.set(node.base, out);
  for (const a of node.agents) {
    const ids: string[] = [];
    const one = async (i: number) => {
      const r = await fetch(`${node.base}/api/v1/decisions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${a.api_key}` },
        body: JSON.stringify({
          session: { id: `events-${randomUUID()}-${i % 20}` },
          tool: { server: "files", name: "read_file" },
          arguments: { path: "notes/plan.md" },
        }),
      });
      const body = (await r.json()) as { decision_id?: string };
      if (!r.ok || !body.decision_id) throw new Error(`decision for the events bench failed: ${r.status} ${JSON.stringify(body)}`);
      ids.push(body.decision_id);
    };
    for (let i = 0; i < perAgent; i += 10) await Promise.all(Array.from({ length: Math.min(10, perAgent - i) }, (_, j) => one(i + j)));
    out.set(a.api_key, ids);
  }
  return out;
}

/** Realistic events: 90 % successes with a duration and a result size, 10 % errors with a message. */
function eventsOf(r: () => number, decisions: string[], prefix: string, n: number): EventRow[] {
  const out: EventRow[] = [];
  for (let i = 0; i < n; i++) {
    const decision_id = decisions[Math.floor(r() * decisions.length)];
    const duration_ms = Math.round(r() * 250_000) / 100;
    if (r() < 0.9) out.push({ event_id: `${prefix}-${i}`, decision_id, status: "success", duration_ms, result_size: Math.floor(r() * 20_000) });
    else out.push({ event_id: `${prefix}-${i}`, decision_id, status: "error", duration_ms, error: ERRORS[Math.floor(r() * ERRORS.length)] });
  }
  return out;
}

const copyField = (v: string | number | undefined) =>
  v === undefined ? "\\N" : String(v).replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!);

function copyText(rows: EventRow[], at: string): string {
  let s = "";
  for (const e of rows) s += `${[e.event_id, e.decision_id, e.status, e.duration_ms, e.result_size, e.error, at].map(copyField).join("\t")}\n`;
  return s;
}

/** COPY of `amount` batches from `connections` connections, each batch one COPY statement (one commit). */
async function runCopy(pool: pg.Pool, opts: { name: string; connections: number; amount: number; next: () => string }): Promise<LoadResult> {
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  const start = performance.now();
  const worker = async () => {
    const client = await pool.connect();
    try {
      while (sent < opts.amount) {
        sent++;
        const text = opts.next();
        const t0 = performance.now();
        try {
          await pipeline(
            Readable.from([text]),
            client.query(copyFrom("COPY outcome_events (event_id, decision_id, status, duration_ms, result_size, error, received_at) FROM STDIN")),
          );
          latencies.push(performance.now() - t0);
        } catch (err) {
          failed++;
          if (failed === 1) console.error(`[events bench] COPY failed: ${(err as Error).message}`);
        }
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name: opts.name,
    requests: latencies.length,
    ok: latencies.length,
    non2xx: 0,
    errors: failed,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    durationS: seconds,
  };
}

/**
 * Runs the events rows against a running Mandate node (this checkout's or another's: bench:compare
 * style). `cpuRoot` is the pid whose process tree is the target (node and its embedded PostgreSQL).
 */
export async function runEventsBench(node: Node, o: EventsBenchOptions = EVENTS_DEFAULTS): Promise<EventsBenchResult> {
  const runId = Date.now().toString(36);
  const decisions = await makeDecisions(node, 1000);
  const keys = [...decisions.keys()];
  const r = rng(11);
  let batch = 0;
  const nextMandate = () => {
    const key = keys[batch % keys.length];
    const events = eventsOf(r, decisions.get(key)!, `ev-${runId}-${batch++}`, o.batchSize);
    return { body: JSON.stringify({ events }), authorization: `Bearer ${key}` };
  };
  let copyBatch = 0;
  const allDecisions = [...decisions.values()].flat();
  const nextCopy = () => copyText(eventsOf(r, allDecisions, `cp-${runId}-${copyBatch++}`, o.batchSize), new Date().toISOString());

  const pool = new pg.Pool({ connectionString: node.databaseUrl, max: o.connections });
  const url = `${node.base}/api/v1/events`;
  const roots = { mandate: node.child.pid };
  const split = { mandate: { label: "postgres", comm: /^postgres/ } };
  const names = ["Mandate POST /api/v1/events", "raw COPY into outcome_events (ceiling)"];
  const rounds: [LoadResult[], LoadResult[]] = [[], []];
  const cpu: [CpuDelta[], CpuDelta[]] = [[], []];
  try {
    const w = await runLoad({ name: "warmup", url, connections: o.connections, amount: o.warmupBatches, next: nextMandate });
    let accepted = w.ok * o.batchSize;
    if (w.ok !== w.requests || w.errors)
      throw new Error(`events warm-up: ${w.ok} of ${w.requests} batches accepted, ${w.errors} errors, other answers by status ${JSON.stringify(w.statuses)}`);
    await runCopy(pool, { name: "warmup", connections: o.connections, amount: Math.ceil(o.warmupBatches / 2), next: nextCopy });
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const i of order) {
        const before = snapshot(roots, split);
        const res =
          i === 0
            ? await runLoad({ name: names[0], url, connections: o.connections, amount: o.batches, next: nextMandate })
            : await runCopy(pool, { name: names[1], connections: o.connections, amount: o.batches, next: nextCopy });
        cpu[i].push(delta(before, snapshot(roots, split)));
        rounds[i].push(res);
        if (i === 0) accepted += res.ok * o.batchSize;
      }
    }
    const stored = (
      await pool.query<{ events: number; outcome_entries: number; copied: number }>(
        `SELECT (SELECT count(*)::int FROM outcome_events WHERE event_id LIKE $1) AS events,
                (SELECT count(*)::int FROM audit_entries WHERE kind = 'outcome' AND data->>'event_id' LIKE $1) AS outcome_entries,
                (SELECT count(*)::int FROM outcome_events WHERE event_id LIKE $2) AS copied`,
        [`ev-${runId}-%`, `cp-${runId}-%`],
      )
    ).rows[0];
    const rows = [0, 1].map((i) => {
      const res = combine(names[i], rounds[i]);
      const c = sumDeltas(cpu[i]);
      const all = c.trees.get("mandate") ?? 0;
      const pgs = c.trees.get("mandate/postgres") ?? 0;
      const events = res.ok * o.batchSize;
      const us = (sec: number) => (events ? (sec / events) * 1e6 : 0);
      return {
        name: names[i],
        batches: res.requests,
        events,
        errors: res.errors + res.non2xx,
        eventsPerS: res.rps * o.batchSize,
        p50: res.p50,
        p99: res.p99,
        cpuUs: us(all),
        nodeUs: us(all - pgs),
        pgUs: us(pgs),
        perRound: rounds[i].map((x) => x.rps * o.batchSize),
      };
    }) as [EventsRow, EventsRow];
    return {
      rows,
      ratio: rows[0].eventsPerS / rows[1].eventsPerS,
      stored: { events: stored.events, outcomeEntries: stored.outcome_entries, copied: stored.copied },
      accepted,
    };
  } finally {
    await pool.end();
  }
}

export function printEvents(res: EventsBenchResult, o: EventsBenchOptions = EVENTS_DEFAULTS): void {
  console.log(`outcome events: ${o.rounds} interleaved rounds of ${o.batches} batches of ${o.batchSize} events per target, ${o.connections} connections`);
  const head = ["target", "batches", "errors", "events/s", "p50 ms/batch", "p99 ms/batch", "CPU µs/event (node, PostgreSQL)", "per round events/s"];
  const lines = res.rows.map((r) => [
    r.name,
    String(r.batches),
    String(r.errors),
    r.eventsPerS.toFixed(0),
    r.p50.toFixed(1),
    r.p99.toFixed(1),
    `${r.cpuUs.toFixed(1)} (${r.nodeUs.toFixed(1)}, ${r.pgUs.toFixed(1)})`,
    r.perRound.map((x) => x.toFixed(0)).join("/"),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  console.log(
    `events accepted (warm-up included): ${res.accepted}; ` +
      `stored: ${res.stored.events} outcome_events rows, ${res.stored.outcomeEntries} outcome audit entries → ${eventsConsistent(res) ? "equal" : "MISMATCH"}`,
  );
  console.log(`events_ratio_vs_copy=${res.ratio.toFixed(2)}`);
}

/** Every accepted event has its row and its audit entry, and nothing else was stored. */
export function eventsConsistent(res: EventsBenchResult): boolean {
  return res.stored.events === res.accepted && res.stored.outcomeEntries === res.accepted;
}

/** bench:compare --events: each version's events rows, one round each in turn (the order alternating). */
export async function compareEvents(nodes: Array<{ name: string; node: Node }>, rounds: number, batches: number): Promise<void> {
  const o = { ...EVENTS_DEFAULTS, rounds: 1, batches };
  const runs = new Map<string, EventsBenchResult[]>(nodes.map((n) => [n.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const { name, node } of round % 2 ? [...nodes].reverse() : nodes) runs.get(name)!.push(await runEventsBench(node, o));
  }
  console.log(`outcome events: ${rounds} rounds of ${batches} batches of ${o.batchSize} per version (and as many COPY batches), ${o.connections} connections`);
  console.log("version  events/s  ratio to COPY  CPU µs/event (node, PostgreSQL)  p50 / p99 ms  per round events/s");
  const summary = nodes.map(({ name }) => {
    const rs = runs.get(name)!;
    const m = rs.map((r) => r.rows[0]);
    const events = m.reduce((a, r) => a + r.events, 0);
    const seconds = m.reduce((a, r) => a + r.events / r.eventsPerS, 0);
    const w = (f: (r: EventsRow) => number) => m.reduce((a, r) => a + f(r) * r.events, 0) / events;
    const copy = rs.reduce((a, r) => a + r.rows[1].eventsPerS, 0) / rs.length;
    const row = { name, eps: events / seconds, ratio: events / seconds / copy, cpu: w((r) => r.cpuUs), node: w((r) => r.nodeUs), pg: w((r) => r.pgUs) };
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      [
        name.padEnd(7),
        row.eps.toFixed(0).padStart(8),
        row.ratio.toFixed(2).padStart(13),
        `${row.cpu.toFixed(1)} (${row.node.toFixed(1)}, ${row.pg.toFixed(1)})`.padStart(31),
        `${med(m.map((r) => r.p50)).toFixed(0)} / ${med(m.map((r) => r.p99)).toFixed(0)}`.padStart(12),
        m.map((r) => r.eventsPerS.toFixed(0)).join("/"),
      ].join("  "),
    );
    const bad = rs.filter((r) => !eventsConsistent(r));
    if (bad.length) console.log(`  ${name}: accepted events and stored rows/entries differ in ${bad.length} round(s)`);
    return row;
  });
  const [a, b] = summary;
  console.log(`this / base: events/s ${(a.eps / b.eps).toFixed(2)}, CPU per event ${(a.cpu / b.cpu).toFixed(2)}`);
}
