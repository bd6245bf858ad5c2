/**
 * Sums a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`) by function and by file: self time,
 * and inclusive time (a function's own time plus everything it called), in µs per decision and as a
 * share of the thread's busy time. Only the load window counts: from the first to the last sample
 * taken inside the route wrapper (`runRoute`) or `decide`, so start-up and shutdown are left out.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [--decisions N] [--top 40]
 *
 * The profiler samples the thread's wall time: on a loaded machine, time the thread spent preempted
 * inside a function (often a syscall such as writev) is charged to it. Compare shares, and measure CPU
 * with `npm run bench:compare` (Linux /proc).
 */
import { readFileSync } from "node:fs";
import { parseScriptArgs } from "../lib/util/command-line.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const USAGE = "usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--decisions N] [--top 40]";
const { values, positionals } = parseScriptArgs(
  USAGE,
  { decisions: { type: "string", default: "1" }, top: { type: "string", default: "40" } },
  { allowPositionals: true },
);
if (positionals.length !== 1) {
  console.error(USAGE);
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], "utf8")) as Profile;
const decisions = Number(values.decisions);
const top = Number(values.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (url: string) => url.replace(/^file:\/\/.*?\/node_modules\//, "npm:").replace(/^file:\/\/\/[^ ]*?\/(lib|server|bench|cli|gateway)\//, "$1/");
const fnKey = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}`;
const fileKey = (n: ProfileNode) => (n.callFrame.url ? short(n.callFrame.url) : n.callFrame.functionName);
const stack = (id: number) => {
  const out: ProfileNode[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur)!);
  return out;
};

const inLoad = profile.samples.map((id) => stack(id).some((n) => n.callFrame.functionName === "runRoute" || n.callFrame.functionName === "decide"));
const first = inLoad.indexOf(true);
const last = inLoad.lastIndexOf(true);
if (first < 0) throw new Error("no sample inside runRoute or decide: is this the event loop's profile?");

const self = new Map<string, number>();
const file = new Map<string, number>();
const inclusive = new Map<string, number>();
let busy = 0;
let wall = 0;
const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
for (let i = first; i <= last; i++) {
  const us = profile.timeDeltas[i] ?? 0;
  wall += us;
  const leaf = byId.get(profile.samples[i])!;
  if (leaf.callFrame.functionName === "(idle)") continue;
  busy += us;
  add(self, fnKey(leaf), us);
  add(file, fileKey(leaf), us);
  for (const k of new Set(stack(leaf.id).map(fnKey))) add(inclusive, k, us);
}

const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}: µs per decision, share of busy time`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / decisions).toFixed(1).padStart(9)}  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`);
  }
};
console.log(`load window ${(wall / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s: ${(busy / decisions).toFixed(1)} µs per decision over ${decisions}`);
print("self time by function", self);
print("self time by file", file);
print("inclusive time by function", inclusive);
