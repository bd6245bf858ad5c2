import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { delta, parseMachineStat, parseProcStat, snapshot, sumDeltas, treeOf, type ProcStat } from "./cpu.ts";

describe("bench CPU accounting", () => {
  it("parses /proc/<pid>/stat, also when the command name has spaces and parentheses", () => {
    const line = "4242 (postgres: a (b) c) S 17 4242 4242 0 -1 4194560 1234 0 0 0 150 40 7 3 20 0 1 0 99 1 1 0";
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 17, comm: "postgres: a (b) c", ticks: 150 + 40 + 7 + 3 });
    expect(parseProcStat("garbage")).toBeNull();
  });

  it("counts idle and iowait as idle in /proc/stat", () => {
    const m = parseMachineStat("cpu  100 5 50 800 20 3 2 1 0 0\ncpu0 1 2 3\n");
    expect(m).toEqual({ busy: 100 + 5 + 50 + 3 + 2 + 1, total: 981 });
    expect(parseMachineStat("intr 1 2 3")).toBeNull();
  });

  it("collects a whole process tree and nothing outside it", () => {
    const p = (pid: number, ppid: number, ticks: number): ProcStat => ({ pid, ppid, comm: `p${pid}`, ticks });
    const all = [p(1, 0, 1), p(10, 1, 5), p(11, 10, 7), p(12, 11, 9), p(20, 1, 100), p(13, 10, 2)];
    expect(
      treeOf(all, 10)
        .map((x) => x.pid)
        .sort(),
    ).toEqual([10, 11, 12, 13]);
    expect(treeOf(all, 99)).toEqual([]);
  });

  it.runIf(existsSync("/proc/self/stat"))("measures the CPU a busy process tree spends", () => {
    // The loop runs until this process has used 100 ms of CPU by its own count (process.cpuUsage),
    // however long that takes on a loaded machine: the /proc accounting must agree with it. (A loop
    // timed by the wall clock gets only a share of a core when other processes are busy.)
    const before = snapshot({ self: process.pid }, { self: { label: "none", comm: /^no-such-process$/ } });
    let x = 0;
    for (let cpu = 0; cpu < 100_000;) {
      for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
      const u = process.cpuUsage(before.self);
      cpu = u.user + u.system;
    }
    const d = delta(before, snapshot({ self: process.pid }, { self: { label: "none", comm: /^no-such-process$/ } }));
    expect(x).toBeGreaterThan(0);
    expect(d.self).toBeGreaterThanOrEqual(0.1);
    // /proc counts the whole process (every thread) in clock ticks, each of utime and stime rounded
    // down: at least what the process itself counted, less two ticks.
    const tick = 2 / 100;
    expect(d.trees.get("self")!).toBeGreaterThanOrEqual(0.1 - tick);
    expect(d.trees.get("self/none")).toBe(0);
    expect(d.machineIdle).not.toBeNull();
    const sum = sumDeltas([d, d]);
    expect(sum.trees.get("self")).toBeCloseTo(2 * d.trees.get("self")!, 6);
    expect(sum.seconds).toBeCloseTo(2 * d.seconds, 6);
    expect(sum.self).toBeCloseTo(2 * d.self, 6);
  });
});
