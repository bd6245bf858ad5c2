/**
 * `npm run bench:compare -- --base <other checkout>`: this checkout's Mandate against another one's
 * (e.g. main before a change), side by side in ONE run: the same decision workload as `npm run bench`,
 * in interleaved rounds (this, base, this, base…) so that the machine's drift touches both alike. On a
 * machine whose speed varies between runs (the echo ceiling moved 19,000–42,000 req/s between runs
 * here), this is how a change is told apart from noise. The other checkout needs its own
 * `node_modules` (and `.next` for the console).
 *
 *   npm run bench:compare -- --base ../main-before [--requests 20000 --rounds 4 --connections 50]
 *
 * `--events`: the outcome-event rows instead (bench/lib/events.ts: POST /api/v1/events in batches of
 * 1,000 and the raw COPY ceiling on each node's database), one round per version in turn.
 *
 * `--this-env K=V` / `--base-env K=V` (repeatable) set environment variables on one side only; with
 * `--base .` (the same checkout: each node has its own data directory, PostgreSQL and ports) this compares
 * one build with a setting against itself without it, e.g. traces on against off:
 *
 *   npm run bench:compare -- --base . --otlp-sink --this-env OTEL_TRACES_EXPORTER=otlp \
 *     --this-env OTEL_TRACES_SAMPLER=parentbased_traceidratio --this-env OTEL_TRACES_SAMPLER_ARG=0.1
 *
 * `--otlp-sink`: a local OTLP/HTTP sink (answers 200 to every POST, counts requests and bytes) whose
 * address both nodes get as OTEL_EXPORTER_OTLP_ENDPOINT (unless a side's --*-env sets it).
 *
 * `--trace-ab` (no --base): ONE node of this checkout (traces on: give it OTEL_TRACES_EXPORTER=otlp with
 * --this-env), loaded in interleaved rounds with a W3C `traceparent` whose sampled flag is set ("sampled":
 * every decision traced, five spans exported) and one whose flag is not ("unsampled": the SDK's
 * parent-based sampler says no, nothing is recorded). The same process serves both, so the difference
 * is the cost of tracing a decision without the instance-to-instance noise of two nodes (20 % here);
 * at a sampling ratio r a decision costs about r × that difference.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { delta, snapshot, sumDeltas, type CpuDelta } from "./lib/cpu.ts";
import { combine, runLoad, type LoadResult } from "./lib/load.ts";
import { pickTool, rng } from "./lib/workload.ts";
import { ROOT, startMandateNode, type MandateTarget } from "./lib/targets.ts";
import { compareEvents } from "./lib/events.ts";
import { parseScriptArgs } from "../lib/util/command-line.ts";

const USAGE = `usage: npm run bench:compare -- --base <other checkout> [--requests 20000] [--rounds 4] [--connections 50]
                                  [--warmup 10000] [--no-console] [--events] [--event-batches 100] [--cpu-prof DIR]
                                  [--this-env K=V]... [--base-env K=V]... [--otlp-sink]
       npm run bench:compare -- --trace-ab --this-env OTEL_TRACES_EXPORTER=otlp --otlp-sink [--requests …]

This checkout's Mandate against another one's, in interleaved rounds (the decision workload, or with
--events the outcome-event ingestion). --cpu-prof DIR: both nodes run under \`node --cpu-prof\` and write
their profiles into DIR/this and DIR/base when they stop (sum one with bench/profile-summary.ts).
--this-env / --base-env K=V (repeatable): environment of one side only (--base . compares this checkout
with itself). --otlp-sink: a local OTLP/HTTP sink answering 200, given to both nodes as
OTEL_EXPORTER_OTLP_ENDPOINT (traces on: set OTEL_TRACES_EXPORTER=otlp on a side).`;
const { values } = parseScriptArgs(USAGE, {
  base: { type: "string" },
  requests: { type: "string", default: "20000" },
  rounds: { type: "string", default: "4" },
  connections: { type: "string", default: "50" },
  warmup: { type: "string", default: "10000" },
  "no-console": { type: "boolean" },
  events: { type: "boolean" },
  "event-batches": { type: "string", default: "100" },
  "cpu-prof": { type: "string" },
  "this-env": { type: "string", multiple: true },
  "base-env": { type: "string", multiple: true },
  "otlp-sink": { type: "boolean" },
  "trace-ab": { type: "boolean" },
});
const TRACE_AB = values["trace-ab"] === true;
if (TRACE_AB && values.base) {
  console.error(`--trace-ab runs one node of this checkout: no --base\n${USAGE}`);
  process.exit(2);
}
if (!TRACE_AB && !values.base) {
  console.error(`--base is required\n${USAGE}`);
  process.exit(2);
}
const BASE = resolve(values.base ?? ".");
const N = Number(values.requests);
const R = Math.max(1, Number(values.rounds));
const C = Number(values.connections);
const W = Number(values.warmup);
const SESSIONS = 1000;

function envOf(option: string, pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(p);
    if (!m) {
      console.error(`--${option} takes NAME=value, not "${p}"\n${USAGE}`);
      process.exit(2);
    }
    out[m[1]] = m[2];
  }
  return out;
}
const ENV = { this: envOf("this-env", values["this-env"]), base: envOf("base-env", values["base-env"]) };
const withConsole = !values["no-console"] && existsSync(join(ROOT, ".next/BUILD_ID")) && existsSync(join(BASE, ".next/BUILD_ID"));
/** A W3C traceparent (version 00, a fixed trace and parent span) with the sampled flag set or not. */
const traceparent = (sampled: boolean) => `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0${sampled ? 1 : 0}`;

function requests(keys: string[], runId: string) {
  const r = rng(7);
  return () => {
    const s = Math.floor(r() * SESSIONS);
    const tool = pickTool(r);
    return {
      body: JSON.stringify({ session: { id: `cmp-${runId}-${s}` }, tool: { server: tool.server, name: tool.name }, arguments: tool.args }),
      authorization: `Bearer ${keys[s % keys.length]}`,
    };
  };
}

/** A local OTLP/HTTP sink: 200 with an empty body (an empty Export…ServiceResponse, protobuf or JSON) to every request. */
async function startOtlpSink() {
  const seen = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    req.on("data", (d: Buffer) => (seen.bytes += d.length));
    req.on("end", () => res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf", "content-length": 0 }).end());
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

const describeEnv = (e: Record<string, string>) =>
  Object.entries(e)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ") || "(none)";

async function main() {
  console.log(
    (TRACE_AB
      ? `trace-ab: one node of ${ROOT}, traceparent sampled vs not;`
      : `compare: ${ROOT} (this) vs ${BASE} (base${BASE === ROOT ? ": the same checkout" : ""});`) +
      ` ${C} connections, ` +
      `${R} interleaved rounds of ${N} requests each after ${W} warm-up; console ${withConsole ? "on" : "off"}`,
  );
  console.log(`environment of this: ${describeEnv(ENV.this)}; of base: ${describeEnv(ENV.base)}`);
  const nodes: Array<{ name: string; node: MandateTarget }> = [];
  const sink = values["otlp-sink"] ? await startOtlpSink() : null;
  try {
    const options = (name: "this" | "base") => ({
      ...(values["cpu-prof"] ? { cpuProfDir: join(values["cpu-prof"], name) } : {}),
      env: { ...(sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}), ...ENV[name] },
    });
    nodes.push({ name: "this", node: await startMandateNode(withConsole, ROOT, options("this")) });
    if (!TRACE_AB) nodes.push({ name: "base", node: await startMandateNode(withConsole, BASE, options("base")) });
    if (values.events) {
      await compareEvents(nodes, R, Number(values["event-batches"]));
      return;
    }
    const sides: Array<{ name: string; node: MandateTarget; headers?: Record<string, string> }> = TRACE_AB
      ? [true, false].map((sampled) => ({ name: sampled ? "sampled" : "unsampled", node: nodes[0].node, headers: { traceparent: traceparent(sampled) } }))
      : nodes;
    const targets = sides.map(({ name, node, headers }) => ({
      name,
      node,
      headers,
      next: requests(
        node.agents.map((a) => a.api_key),
        name,
      ),
    }));
    // In --trace-ab both targets are the same process: each round's CPU is that target's (rounds run one at a time).
    const roots = Object.fromEntries(targets.map(({ name, node }) => [name, node.child.pid]));
    const split = Object.fromEntries(targets.map(({ name }) => [name, { label: "postgres", comm: /^postgres/ }]));
    for (const t of targets) await runLoad({ name: "warmup", url: t.node.url, connections: C, amount: W, headers: t.headers, next: t.next });
    const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, CpuDelta[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < R; round++) {
      // Alternate which goes first, so that neither always follows the other.
      const order = round % 2 ? [...targets].reverse() : targets;
      for (const t of order) {
        const before = snapshot(roots, split);
        rounds.get(t.name)!.push(await runLoad({ name: t.name, url: t.node.url, connections: C, amount: N, headers: t.headers, next: t.next }));
        cpu.get(t.name)!.push(delta(before, snapshot(roots, split)));
      }
    }
    const rows = targets.map((t) => {
      const res = combine(t.name, rounds.get(t.name)!);
      const c = sumDeltas(cpu.get(t.name)!);
      const all = c.trees.get(t.name) ?? 0;
      const pg = c.trees.get(`${t.name}/postgres`) ?? 0;
      const us = (sec: number) => (sec / res.requests) * 1e6;
      return {
        name: t.name,
        res,
        cpuUs: us(all),
        nodeUs: us(all - pg),
        pgUs: us(pg),
        perRound: rounds
          .get(t.name)!
          .map((r) => r.rps.toFixed(0))
          .join("/"),
      };
    });
    console.log("");
    console.log("version  decisions/s  p50 ms  p99 ms  CPU µs/decision (node, PostgreSQL)  errors  per round");
    for (const r of rows)
      console.log(
        [
          r.name.padEnd(7),
          r.res.rps.toFixed(0).padStart(11),
          r.res.p50.toFixed(2).padStart(6),
          r.res.p99.toFixed(2).padStart(6),
          `${r.cpuUs.toFixed(0)} (${r.nodeUs.toFixed(0)}, ${r.pgUs.toFixed(0)})`.padStart(34),
          String(r.res.errors + r.res.non2xx).padStart(6),
          r.perRound,
        ].join("  "),
      );
    const [a, b] = rows;
    console.log("");
    console.log(
      `${a.name} / ${b.name}: decisions/s ${(a.res.rps / b.res.rps).toFixed(3)}, p99 ${(a.res.p99 / b.res.p99).toFixed(3)}, CPU per decision ${(a.cpuUs / b.cpuUs).toFixed(3)}`,
    );
    if (TRACE_AB) {
      const d = a.cpuUs - b.cpuUs;
      const at = (r: number) => `${(r * d).toFixed(1)} µs (${((r * d * 100) / b.cpuUs).toFixed(2)} %)`;
      console.log(
        `tracing a decision: ${d.toFixed(1)} µs of CPU (node ${(a.nodeUs - b.nodeUs).toFixed(1)}); per decision at ratio 0.1: ${at(0.1)}, 0.01: ${at(0.01)}`,
      );
    }
  } finally {
    await Promise.all(nodes.map(({ node }) => node.stop().catch(() => {})));
    if (sink) {
      // After the nodes stopped (they export what they hold as they stop).
      console.log(`OTLP sink: ${sink.seen.requests} requests, ${(sink.seen.bytes / 1e6).toFixed(1)} MB`);
      await sink.close();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
