/**
 * `npm run bench`: Mandate's decision endpoint (session state and audit durable in PostgreSQL) side by
 * side with the Cerbos PDP (equivalent policy, audit off) and a bare node:http JSON echo (the ceiling
 * of the transport): same workload, same machine, one run. Mandate runs as a node with one data-plane
 * worker per core, as a node with 1 worker, and as two nodes on one PostgreSQL (the
 * default node and a second one joining it, the load split between them). All run in interleaved rounds
 * so that background load on the machine touches them alike. Prints a table and, last,
 * `ratio_vs_cerbos=<Mandate (one worker per core) decisions/s ÷ Cerbos decisions/s>`.
 *
 *   npm run bench [-- --requests 30000 --rounds 3 --connections 50 --no-console --cpu-prof DIR]
 *
 * Then the outcome-event ingestion rows (bench/lib/events.ts); `--only events` runs only those
 * (`--event-batches 100`: batches of 1,000 events per round).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { setDatabaseUrl, getPool, closePool } from "../lib/db/pool.ts";
import { parseScriptArgs } from "../lib/util/command-line.ts";
import { verifyAudit } from "../lib/audit/verify.ts";
import { delta, snapshot, sumDeltas, type CpuDelta } from "./lib/cpu.ts";
import { combine, runLoad, type LoadResult } from "./lib/load.ts";
import { cerbosBody, ClientCounterTracker, CLASSIFICATION, pickTool, rng } from "./lib/workload.ts";
import { ROOT, startCerbos, startEcho, startMandateNode, type MandateTarget } from "./lib/targets.ts";
import { EVENTS_DEFAULTS, eventsConsistent, printEvents, runEventsBench } from "./lib/events.ts";

const { values } = parseScriptArgs(
  `usage: npm run bench -- [--requests 30000] [--rounds 3] [--connections 50] [--warmup 10000] [--no-console]
                         [--cpu-prof DIR] [--only events] [--event-batches ${EVENTS_DEFAULTS.batches}]

Mandate's decision endpoint beside the Cerbos PDP and a bare node:http echo, in interleaved rounds, then
the outcome-event ingestion rows.`,
  {
    requests: { type: "string", default: "30000" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    warmup: { type: "string", default: "10000" },
    "no-console": { type: "boolean" },
    /** Profile the Mandate node: it writes a .cpuprofile into this directory when it stops. */
    "cpu-prof": { type: "string" },
    only: { type: "string" },
    "event-batches": { type: "string", default: String(EVENTS_DEFAULTS.batches) },
  },
);
const N = Number(values.requests);
const R = Math.max(1, Number(values.rounds));
const C = Number(values.connections);
const W = Number(values.warmup);
const SESSIONS = 1000;
const withConsole = !values["no-console"] && existsSync(join(ROOT, ".next/BUILD_ID"));
const runId = Date.now().toString(36);

/** Prints right-aligned columns. */
function printTable(head: string[], lines: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

function table(rows: LoadResult[]) {
  printTable(
    ["target", "requests", "2xx", "errors", "decisions/s", "p50 ms", "p99 ms"],
    rows.map((r) => [r.name, r.requests, r.ok, r.errors + r.non2xx, r.rps.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2)].map(String)),
  );
}

/** CPU while each target was under load (its own process tree, the load generator, the idle machine). */
function cpuTable(
  rows: Array<{ name: string; requests: number; cpu: CpuDelta; tree: string; parts?: Array<{ label: string; seconds: (cpu: CpuDelta) => number }> }>,
) {
  if (rows.every((r) => !r.cpu.trees.size)) return;
  const head = ["target", "cores busy", "CPU µs/request", "load generator cores", "idle cores (machine)"];
  const lines = rows.map((r) => {
    const cpu = r.cpu.trees.get(r.tree) ?? 0;
    const us = (sec: number) => ((sec / r.requests) * 1e6).toFixed(0);
    const parts = r.parts?.length ? ` (${r.parts.map((p) => `${p.label} ${us(p.seconds(r.cpu))}`).join(", ")})` : "";
    return [
      r.name,
      (cpu / r.cpu.seconds).toFixed(2),
      `${us(cpu)}${parts}`,
      (r.cpu.self / r.cpu.seconds).toFixed(2),
      r.cpu.machineIdle === null ? "-" : (r.cpu.machineIdle / r.cpu.seconds).toFixed(2),
    ];
  });
  console.log("CPU while each target was under load (Linux /proc, summed over the rounds):");
  printTable(head, lines);
}

function cerbosRequests() {
  const r = rng(7);
  const labels = new Map<number, Set<string>>();
  const counters = new ClientCounterTracker();
  let i = 0;
  return () => {
    const s = Math.floor(r() * SESSIONS);
    const tool = pickTool(r);
    const set = labels.get(s) ?? new Set<string>();
    labels.set(s, set);
    const c = CLASSIFICATION.get(`${tool.server}/${tool.name}`)!;
    const allowed = c.status === "approved" && c.effect !== "destructive";
    const body = cerbosBody(`agent-${s % 3}`, tool, [...set], `r${i++}`, counters.next(s, `agent-${s % 3}`, tool, allowed));
    if (allowed) for (const l of c.labels) set.add(l);
    return body;
  };
}

function mandateRequests(keys: string[], prefix: string) {
  const r = rng(7);
  // Each session belongs to one agent (sessions are owned), so its calls carry that agent's key.
  return () => {
    const s = Math.floor(r() * SESSIONS);
    const tool = pickTool(r);
    const body = JSON.stringify({ session: { id: `bench-${runId}-${prefix}-${s}` }, tool: { server: tool.server, name: tool.name }, arguments: tool.args });
    return { body, authorization: keys[s % keys.length] };
  };
}

type Next = () => string | { body: string; authorization: string };

/** Load spread over several URLs at once (connections and requests split evenly): one result. */
async function runSpread(name: string, parts: Array<{ url: string; next: Next }>, connections: number, amount: number): Promise<LoadResult> {
  const rs = await Promise.all(
    parts.map((p) => runLoad({ name, url: p.url, connections: Math.ceil(connections / parts.length), amount: Math.ceil(amount / parts.length), next: p.next })),
  );
  const durationS = Math.max(...rs.map((r) => r.durationS));
  const sum = (f: (r: LoadResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  return {
    name,
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    rps: sum((r) => r.requests) / durationS,
    // Per-part percentiles: the worse of them (a bound on the combined one).
    p50: Math.max(...rs.map((r) => r.p50)),
    p99: Math.max(...rs.map((r) => r.p99)),
    durationS,
  };
}

async function main() {
  console.log(
    `workload: ${SESSIONS} sessions, tool mix of allow/deny/approval, ${C} connections, ${R} interleaved rounds of ${N} requests per target after ${W} warm-up requests`,
  );
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    await run(started);
  } finally {
    // Also when something failed: no target outlives the run.
    await Promise.all(started.map((t) => t.stop().catch(() => {})));
  }
}

async function run(started: Array<{ stop(): Promise<void> }>) {
  if (values.only === "events") return events(started);
  const echo = await startEcho();
  started.push(echo);
  const cerbos = await startCerbos();
  started.push(cerbos);
  // Every Mandate node records into one PostgreSQL (the first node's, embedded): the 1-worker node and
  // the second node join it. They run one at a time, so they do not compete for it; its CPU is counted
  // for whichever Mandate target is under load.
  const workers = availableParallelism();
  const mandate = await startMandateNode(withConsole, ROOT, { cpuProfDir: values["cpu-prof"], workers });
  started.push(mandate);
  const single = await startMandateNode(false, ROOT, { workers: 1, join: mandate });
  started.push(single);
  const second = await startMandateNode(false, ROOT, { join: mandate, workers });
  started.push(second);
  setDatabaseUrl(mandate.databaseUrl);
  const settings = await getPool().query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit','fsync','full_page_writes','wal_sync_method','commit_delay') ORDER BY name`,
  );
  console.log(`PostgreSQL durability (defaults): ${settings.rows.map((x) => `${x.name}=${x.setting}`).join(", ")}`);
  const before = (await getPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'decision'`)).rows[0].n;

  const payload = JSON.stringify({ session: { id: "s" }, tool: { server: "files", name: "read_file" }, arguments: { path: "a" } });
  const keys = mandate.agents.map((a) => `Bearer ${a.api_key}`);
  type Target = { name: string; trees: string[]; mandate: boolean; load: (amount: number) => Promise<LoadResult> };
  const one = (name: string, url: string, next: Next, trees: string[], isMandate = false): Target => ({
    name,
    trees,
    mandate: isMandate,
    load: (amount) => runLoad({ name, url, connections: C, amount, next }),
  });
  const MAIN = `Mandate, ${workers} workers (${withConsole ? "console on" : "data plane only"})`;
  const targets: Target[] = [
    one("node:http echo (ceiling)", echo.url, () => payload, ["echo"]),
    one("Cerbos PDP 0.55 (audit off)", cerbos.url, cerbosRequests(), ["cerbos"]),
    one(MAIN, mandate.url, mandateRequests(keys, "a"), ["mandate"], true),
    one("Mandate, 1 worker", single.url, mandateRequests(keys, "s"), ["single"], true),
    {
      name: `Mandate, 2 nodes × ${workers} workers, one PostgreSQL`,
      trees: ["mandate", "second"],
      mandate: true,
      load: (amount) =>
        runSpread(
          "2 nodes",
          [
            { url: mandate.url, next: mandateRequests(keys, "p1") },
            { url: second.url, next: mandateRequests(keys, "p2") },
          ],
          C,
          amount,
        ),
    },
  ];
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, CpuDelta[]>(targets.map((t) => [t.name, []]));
  const roots = { echo: echo.child.pid, cerbos: cerbos.child.pid, mandate: mandate.child.pid, single: single.child.pid, second: second.child.pid };
  const split = { mandate: { label: "postgres", comm: /^postgres/ } };
  let mandateAnswered = 0;
  for (const t of targets) {
    const w = await t.load(W);
    if (t.mandate) mandateAnswered += w.ok;
  }
  for (let round = 0; round < R; round++) {
    for (const t of targets) {
      const before = snapshot(roots, split);
      const res = await t.load(N);
      cpu.get(t.name)!.push(delta(before, snapshot(roots, split)));
      if (t.mandate) mandateAnswered += res.ok;
      rounds.get(t.name)!.push({ ...res, name: t.name });
    }
  }
  const results = targets.map((t) => combine(t.name, rounds.get(t.name)!));

  const after = (await getPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE kind = 'decision'`)).rows[0].n;
  const outcomes = await getPool().query<{ outcome: string; n: number }>(
    `SELECT outcome, count(*)::int AS n FROM audit_entries WHERE kind = 'decision' GROUP BY outcome ORDER BY outcome`,
  );
  // The members of GET /api/v1/health this report prints.
  type Health = { audit: { batches: { batches: number; jobs: number }; chains: unknown[] } };
  const health = (await (await fetch(`${mandate.base}/api/v1/health`)).json()) as Health;
  const audit = await verifyAudit(mandate.dataDir);
  await closePool();

  console.log("");
  table(results);
  console.log("");
  console.log("");
  // A Mandate target's CPU: its node processes (the first node's tree less its PostgreSQL) and the one
  // PostgreSQL every Mandate node records into.
  const pg = (c: CpuDelta) => c.trees.get("mandate/postgres") ?? 0;
  const nodes = (t: Target) => (c: CpuDelta) => t.trees.reduce((a, tree) => a + (c.trees.get(tree) ?? 0), 0) - (t.trees.includes("mandate") ? pg(c) : 0);
  cpuTable(
    targets.map((t, i) => {
      const c = sumDeltas(cpu.get(t.name)!);
      const total = t.mandate ? nodes(t)(c) + pg(c) : nodes(t)(c);
      c.trees.set(t.name, total);
      return {
        name: t.name,
        requests: results[i].requests,
        cpu: c,
        tree: t.name,
        parts: t.mandate
          ? [
              { label: "node", seconds: nodes(t) },
              { label: "PostgreSQL", seconds: pg },
            ]
          : undefined,
      };
    }),
  );
  console.log("");
  console.log(
    `per round decisions/s: ${targets
      .map(
        (t) =>
          `${t.name.split(" ")[0]} ${rounds
            .get(t.name)!
            .map((r) => r.rps.toFixed(0))
            .join("/")}`,
      )
      .join("; ")}`,
  );
  console.log(
    `Mandate outcomes: ${outcomes.rows.map((x) => `${x.outcome}=${x.n}`).join(", ")}; ` +
      `group commit: ${health.audit.batches.batches} batches for ${health.audit.batches.jobs} jobs on ${health.audit.chains.length} chains`,
  );
  console.log(
    `audit entries for decisions: ${after - before}, decisions answered (2xx): ${mandateAnswered} → ${after - before === mandateAnswered ? "equal" : "MISMATCH"}`,
  );
  console.log(`audit verify: ${audit.ok ? "ok" : `FAILED (${audit.firstBroken?.reason ?? audit.checkpoints.problems[0]})`} (${audit.entries} entries)`);
  // A request that got no answer (errors column) is explained by what its node printed, if anything.
  for (const [label, node] of [
    ["node 1", mandate],
    ["node 1, single worker", single],
    ["node 2", second],
  ] as const)
    for (const line of node.troubles()) console.log(`${label} printed: ${line}`);
  const m = results[2];
  const c = results[1];
  console.log(
    `Mandate with ${workers} workers / with 1: ${(m.rps / results[3].rps).toFixed(2)}×; two nodes on one PostgreSQL / one node: ${(results[4].rps / m.rps).toFixed(2)}×`,
  );
  console.log(
    `p99: Mandate ${m.p99.toFixed(2)} ms vs Cerbos ${c.p99.toFixed(2)} ms → ${m.p99 <= c.p99 ? "Mandate p99 ≤ Cerbos p99" : "Mandate p99 HIGHER than Cerbos"}`,
  );
  console.log(`ratio_vs_cerbos=${(m.rps / c.rps).toFixed(2)}`);
  if (after - before !== mandateAnswered || !audit.ok) process.exitCode = 1;
  console.log("");
  await events(started, mandate);
}

/** The outcome-event rows (bench/lib/events.ts), on the same node, or one of their own (`--only events`). */
async function events(started: Array<{ stop(): Promise<void> }>, mandate?: MandateTarget) {
  const node = mandate ?? (await startMandateNode(withConsole));
  if (!mandate) started.push(node);
  const opts = { ...EVENTS_DEFAULTS, rounds: R, batches: Number(values["event-batches"]) };
  const res = await runEventsBench(node, opts);
  setDatabaseUrl(node.databaseUrl);
  const audit = await verifyAudit(node.dataDir);
  await closePool();
  printEvents(res, opts);
  console.log(`audit verify: ${audit.ok ? "ok" : `FAILED (${audit.firstBroken?.reason ?? audit.checkpoints.problems[0]})`} (${audit.entries} entries)`);
  if (!eventsConsistent(res) || !audit.ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
