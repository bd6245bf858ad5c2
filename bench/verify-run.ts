/**
 * One timed `verifyAudit` of a checkout (this one or `--base`'s), in a process of its own, for
 * bench/verify.ts: imports <checkout>/lib/audit/verify.ts, verifies the database of DATABASE_URL with
 * the checkpoints of MANDATE_DATA_DIR, and prints one JSON line (entries, ms, ok, CPU seconds of this
 * process and its worker threads).
 *
 *   tsx bench/verify-run.ts <checkout dir>     (BENCH_VERIFY_READ=text: verifyAudit's `read: "text"`;
 *                                              BENCH_VERIFY_WORKERS=N: its `workers`)
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(process.argv[2] ?? ".");
const dataDir = resolve(process.env.MANDATE_DATA_DIR ?? ".mandate");
const { verifyAudit } = (await import(pathToFileURL(join(root, "lib/audit/verify.ts")).href)) as {
  verifyAudit: (
    dataDir: string,
    opts?: { read?: "text"; workers?: number },
  ) => Promise<{ ok: boolean; entries: number; firstBroken: unknown; checkpoints: { problems: string[] } }>;
};
const { closePool } = (await import(pathToFileURL(join(root, "lib/db/pool.ts")).href)) as { closePool: () => Promise<void> };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const workers = process.env.BENCH_VERIFY_WORKERS ? Number(process.env.BENCH_VERIFY_WORKERS) : undefined;
const r = await verifyAudit(dataDir, { ...(process.env.BENCH_VERIFY_READ === "text" ? { read: "text" } : {}), ...(workers ? { workers } : {}) });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await closePool();
process.stdout.write(
  JSON.stringify({ entries: r.entries, ms, ok: r.ok, cpu: (cpu.user + cpu.system) / 1e6, problem: r.firstBroken ?? r.checkpoints.problems[0] ?? null }) + "\n",
);
