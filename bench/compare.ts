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
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { delta, snapshot, sumDeltas, type CpuDelta } from "./lib/cpu.ts";
import { combine, runLoad, type LoadResult } from "./lib/load.ts";
import { pickTool, rng } from "./lib/workload.ts";
import { ROOT, startMandateNode, type MandateTarget } from "./lib/targets.ts";
import { compareEvents } from "./lib/events.ts";
import { parseScriptArgs } from "../lib/util/command-line.ts";

const USAGE = `usage: npm run bench:compare -- --base <other checkout> [--requests 20000] [--rounds 4] [--connections 50]
                                  [--warmup 10000] [--no-console] [--events] [--event-batches 100] [--cpu-prof DIR]

This checkout's Mandate against another one's, in interleaved rounds (the decision workload, or with
--events the outcome-event ingestion). --cpu-prof DIR: both nodes run under \`node --cpu-prof\` and write
their profiles into DIR/this and DIR/base when they stop (sum one with bench/profile-summary.ts).`;
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
});
if (!values.base) {
  console.error(`--base is required\n${USAGE}`);
  process.exit(2);
}
const BASE = resolve(values.base);
const N = Number(values.requests);
const R = Math.max(1, Number(values.rounds));
const C = Number(values.connections);
const W = Number(values.warmup);
const SESSIONS = 1000;
const withConsole = !values["no-console"] && existsSync(join(ROOT, ".next/BUILD_ID")) && existsSync(join(BASE, ".next/BUILD_ID"));

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

async function main() {
  console.log(
    `compare: ${ROOT} (this) vs ${BASE} (base); ${C} connections, ${R} interleaved rounds of ${N} requests each after ${W} warm-up; console ${withConsole ? "on" : "off"}`,
  );
  const nodes: Array<{ name: string; node: MandateTarget }> = [];
  try {
    const prof = (name: string) => (values["cpu-prof"] ? { cpuProfDir: join(values["cpu-prof"], name) } : {});
    nodes.push({ name: "this", node: await startMandateNode(withConsole, ROOT, prof("this")) });
    nodes.push({ name: "base", node: await startMandateNode(withConsole, BASE, prof("base")) });
    if (values.events) {
      await compareEvents(nodes, R, Number(values["event-batches"]));
      return;
    }
    const targets = nodes.map(({ name, node }) => ({
      name,
      node,
      next: requests(
        node.agents.map((a) => a.api_key),
        name,
      ),
    }));
    const roots = Object.fromEntries(nodes.map(({ name, node }) => [name, node.child.pid]));
    const split = Object.fromEntries(nodes.map(({ name }) => [name, { label: "postgres", comm: /^postgres/ }]));
    for (const t of targets) await runLoad({ name: "warmup", url: t.node.url, connections: C, amount: W, next: t.next });
    const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
    const cpu = new Map<string, CpuDelta[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < R; round++) {
      // Alternate which goes first, so that neither always follows the other.
      const order = round % 2 ? [...targets].reverse() : targets;
      for (const t of order) {
        const before = snapshot(roots, split);
        rounds.get(t.name)!.push(await runLoad({ name: t.name, url: t.node.url, connections: C, amount: N, next: t.next }));
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
      `this / base: decisions/s ${(a.res.rps / b.res.rps).toFixed(3)}, p99 ${(a.res.p99 / b.res.p99).toFixed(3)}, CPU per decision ${(a.cpuUs / b.cpuUs).toFixed(3)}`,
    );
  } finally {
    await Promise.all(nodes.map(({ node }) => node.stop().catch(() => {})));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
