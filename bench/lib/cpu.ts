/**
 * CPU accounting for the benchmarks, from Linux /proc: the CPU time of a process tree (a target and
 * everything it started, e.g. Mandate's node and its embedded PostgreSQL) and the machine's idle time,
 * between two snapshots. Printed next to throughput, it tells "costs more CPU per request" apart from
 * "leaves cores idle". Elsewhere than Linux the snapshots are empty and nothing is printed.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

export interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in clock ticks: the process (all its threads) and its reaped children. */
  ticks: number;
}

/** Parses one /proc/<pid>/stat line (the command name may contain spaces and parentheses). */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const f = line.slice(close + 2).split(" ");
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const nums = [f[1], f[11], f[12], f[13], f[14]].map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  return { pid: Number(line.slice(0, open).trim()), ppid: nums[0], comm: line.slice(open + 1, close), ticks: nums[1] + nums[2] + nums[3] + nums[4] };
}

/** Busy and total ticks of all CPUs from the first line of /proc/stat (idle and iowait count as idle). */
export function parseMachineStat(text: string): { busy: number; total: number } | null {
  const first = text.split("\n", 1)[0] ?? "";
  if (!first.startsWith("cpu ")) return null;
  const v = first.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
  const total = v.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** The processes of the tree rooted at `root` (the root included). */
export function treeOf(all: ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: ProcStat[] = [];
  const stack = all.filter((p) => p.pid === root);
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

function readAll(): ProcStat[] {
  const out: ProcStat[] = [];
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const s = parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
      if (s) out.push(s);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

let hz: number | undefined;
function clockTicks(): number {
  if (hz === undefined) {
    try {
      hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      hz = 100;
    }
  }
  return hz;
}

export interface CpuSnapshot {
  at: number;
  /** CPU seconds of each watched tree, split by process name where asked (`split`). */
  trees: Map<string, number>;
  machine: { busy: number; total: number } | null;
  self: NodeJS.CpuUsage;
}

/**
 * Takes a snapshot of the trees rooted at `roots` (name → pid). With `split`, processes whose command
 * name matches are also counted under `<name>/<label>` (e.g. PostgreSQL inside Mandate's tree).
 */
export function snapshot(roots: Record<string, number | undefined>, split: Record<string, { label: string; comm: RegExp }> = {}): CpuSnapshot {
  const all = readAll();
  const trees = new Map<string, number>();
  const perSecond = clockTicks();
  for (const [name, pid] of Object.entries(roots)) {
    if (pid === undefined) continue;
    const tree = treeOf(all, pid);
    trees.set(name, tree.reduce((a, p) => a + p.ticks, 0) / perSecond);
    const s = split[name];
    if (s) trees.set(`${name}/${s.label}`, tree.filter((p) => s.comm.test(p.comm)).reduce((a, p) => a + p.ticks, 0) / perSecond);
  }
  let machine: CpuSnapshot["machine"] = null;
  try {
    machine = parseMachineStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    machine = null;
  }
  return { at: performance.now(), trees, machine, self: process.cpuUsage() };
}

export interface CpuDelta {
  seconds: number;
  /** CPU seconds per watched tree (and split) over the interval. */
  trees: Map<string, number>;
  /** CPU seconds of this process (the load generator). */
  self: number;
  /** Idle CPU-seconds of the whole machine over the interval (null without /proc/stat). */
  machineIdle: number | null;
}

export function delta(a: CpuSnapshot, b: CpuSnapshot): CpuDelta {
  const seconds = (b.at - a.at) / 1000;
  const trees = new Map<string, number>();
  for (const [k, v] of b.trees) trees.set(k, Math.max(0, v - (a.trees.get(k) ?? 0)));
  const self = (b.self.user - a.self.user + (b.self.system - a.self.system)) / 1e6;
  let machineIdle: number | null = null;
  if (a.machine && b.machine && b.machine.total > a.machine.total) {
    const idleShare = 1 - (b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total);
    machineIdle = idleShare * cpus().length * seconds;
  }
  return { seconds, trees, self, machineIdle };
}

/** Sums deltas (rounds of one target). */
export function sumDeltas(ds: CpuDelta[]): CpuDelta {
  const trees = new Map<string, number>();
  for (const d of ds) for (const [k, v] of d.trees) trees.set(k, (trees.get(k) ?? 0) + v);
  const idle = ds.every((d) => d.machineIdle !== null) ? ds.reduce((a, d) => a + d.machineIdle!, 0) : null;
  return { seconds: ds.reduce((a, d) => a + d.seconds, 0), trees, self: ds.reduce((a, d) => a + d.self, 0), machineIdle: idle };
}
