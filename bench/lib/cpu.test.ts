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
    expect(treeOf(all, 10).map((x) => x.pid).sort()).toEqual([10, 11, 12, 13]);
    expect(treeOf(all, 99)).toEqual([]);
  });

  it.runIf(existsSync("/proc/self/stat"))("measures the CPU a busy process tree spends", () => {
    const before = snapshot({ self: process.pid }, { self: { label: "none", comm: /^no-such-process$/ } });
    const end = performance.now() + 300;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    const d = delta(before, snapshot({ self: process.pid }, { self: { label: "none", comm: /^no-such-process$/ } }));
    expect(x).toBeGreaterThan(0);
    expect(d.trees.get("self")!).toBeGreaterThan(0.15);
    expect(d.trees.get("self/none")).toBe(0);
    expect(d.self).toBeGreaterThan(0.15);
    expect(d.machineIdle).not.toBeNull();
    const sum = sumDeltas([d, d]);
    expect(sum.trees.get("self")).toBeCloseTo(2 * d.trees.get("self")!, 6);
    expect(sum.seconds).toBeCloseTo(2 * d.seconds, 6);
  });
});
