/**
 * `npm run bench:verify`: how fast `mandate audit verify` recomputes a long history. Builds (once, in
 * `--data-dir`, kept between runs) an embedded PostgreSQL holding `--entries` decision entries written
 * through the production commit path (lib/audit/bulk-writer.ts, as the e2e seed does) and a signed
 * checkpoint, then times this checkout's full verification and — with `--base <checkout dir>` — the
 * base checkout's verifyAudit on the same database, interleaved (A B, B A, …) for `--rounds` rounds.
 * Each run is a process of its own (bench/verify-run.ts); the table gives entries/s, the ratio, and
 * the CPU seconds of the verifying process (all its threads) and of PostgreSQL over the run.
 *
 *   npm run bench:verify -- [--entries 300000] [--base /work/base] [--rounds 3] [--data-dir DIR] [--read text]
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parseScriptArgs } from "../lib/util/command-line.ts";

const { values: opt } = parseScriptArgs(
  `usage: npm run bench:verify -- [--entries 300000] [--base <checkout dir>] [--rounds 3] [--data-dir DIR] [--read text]

How fast \`mandate audit verify\` recomputes a long history (built once in --data-dir, default
$TMPDIR/mandate-bench-verify), optionally beside another checkout's, interleaved. --read text: this
checkout reads \`data\` as jsonb's text, not its stored form (to measure what the stored form saves).`,
  {
    entries: { type: "string", default: "300000" },
    base: { type: "string" },
    rounds: { type: "string", default: "3" },
    "data-dir": { type: "string", default: join(tmpdir(), "mandate-bench-verify") },
    read: { type: "string" },
  },
);
const ENTRIES = Number(opt.entries);
const ROUNDS = Number(opt.rounds);
const DATA_DIR = resolve(opt["data-dir"]);
const ROOT = resolve(import.meta.dirname, "..");
process.env.MANDATE_DATA_DIR = DATA_DIR;
delete process.env.DATABASE_URL;

const { connectDatabase, prepareDatabase } = await import("../server/bootstrap.ts");
const { closePool, getPool } = await import("../lib/db/pool.ts");
const { writeCheckpoint } = await import("../lib/audit/checkpoints.ts");
const { seedDecisions } = await import("../e2e/support/seed-decisions.ts");
const { delta, snapshot } = await import("./lib/cpu.ts");

interface Run {
  entries: number;
  ms: number;
  ok: boolean;
  cpu: number;
  pgCpu: number | null;
  problem: unknown;
}

function postmasterPid(): number | undefined {
  try {
    return Number(readFileSync(join(DATA_DIR, "pg", "postmaster.pid"), "utf8").split("\n")[0]) || undefined;
  } catch {
    return undefined;
  }
}

async function runOnce(checkout: string, url: string, read?: string): Promise<Run> {
  const pgPid = postmasterPid();
  const before = snapshot({ pg: pgPid });
  const { stdout } = await promisify(execFile)(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "bench", "verify-run.ts"), checkout], {
    env: { ...process.env, DATABASE_URL: url, MANDATE_DATA_DIR: DATA_DIR, BENCH_VERIFY_READ: read ?? "" },
    maxBuffer: 1 << 20,
  });
  const after = snapshot({ pg: pgPid });
  const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as Omit<Run, "pgCpu">;
  return { ...r, pgCpu: delta(before, after).trees.get("pg") ?? null };
}

async function main() {
  const db = await connectDatabase((m) => console.log(m));
  await prepareDatabase({ seed: true });
  const pool = getPool();
  const have = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entries`)).rows[0].n);
  if (have < ENTRIES) {
    const t = performance.now();
    const steps = 100;
    const sessions = Math.ceil((ENTRIES - have) / steps);
    console.log(`seeding ${sessions * steps} decision entries into ${DATA_DIR} …`);
    await seedDecisions({ sessions, steps, days: 14 });
    await writeCheckpoint(DATA_DIR);
    console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const total = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entries`)).rows[0].n);
  await pool.query(`VACUUM ANALYZE audit_entries`);
  console.log(`history: ${total} audit entries; ${ROUNDS} round(s); ${opt.base ? `base ${opt.base}` : "no base"}`);
  console.log(
    `load average at the start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${availableParallelism()} cores)\n`,
  );

  const targets: Array<{ name: string; dir: string }> = [{ name: "this", dir: ROOT }];
  if (opt.base) targets.push({ name: "base", dir: resolve(opt.base) });
  const runs = new Map<string, Run[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const r = await runOnce(t.dir, db.url, t.name === "this" ? opt.read : undefined);
      runs.get(t.name)!.push(r);
      console.log(
        `round ${round + 1} ${t.name.padEnd(4)}: ${r.entries} entries in ${(r.ms / 1000).toFixed(2)} s = ` +
          `${Math.round(r.entries / (r.ms / 1000)).toLocaleString("en")} entries/s, CPU verify ${r.cpu.toFixed(2)} s, ` +
          `PostgreSQL ${r.pgCpu?.toFixed(2) ?? "?"} s${r.ok ? "" : `  NOT OK: ${JSON.stringify(r.problem)}`}`,
      );
    }
  }
  const rate = (r: Run) => r.entries / (r.ms / 1000);
  const perEntry = (r: Run) => `${((r.cpu * 1e6) / r.entries).toFixed(1)} + ${r.pgCpu === null ? "?" : ((r.pgCpu * 1e6) / r.entries).toFixed(1)}`;
  console.log(
    `\n| round | ${targets.map((t) => `${t.name} entries/s | ${t.name} CPU µs/entry (verify + PostgreSQL)`).join(" | ")} |${opt.base ? " ratio |" : ""}`,
  );
  console.log(`|---|${targets.map(() => "---|---").join("|")}|${opt.base ? "---|" : ""}`);
  for (let i = 0; i < ROUNDS; i++) {
    const cells = targets.map((t) => {
      const r = runs.get(t.name)![i];
      return `${Math.round(rate(r)).toLocaleString("en")} | ${perEntry(r)}`;
    });
    const ratio = opt.base ? ` ${(rate(runs.get("this")![i]) / rate(runs.get("base")![i])).toFixed(2)}× |` : "";
    console.log(`| ${i + 1} | ${cells.join(" | ")} |${ratio}`);
  }
  // All rounds together: entries over seconds, CPU over entries.
  const sum = (name: string) => {
    const rs = runs.get(name)!;
    const entries = rs.reduce((a, r) => a + r.entries, 0);
    const cpu = rs.reduce((a, r) => a + r.cpu, 0);
    const pg = rs.every((r) => r.pgCpu !== null) ? rs.reduce((a, r) => a + r.pgCpu!, 0) : null;
    return { rate: entries / (rs.reduce((a, r) => a + r.ms, 0) / 1000), cpuUs: (cpu * 1e6) / entries, pgUs: pg === null ? null : (pg * 1e6) / entries };
  };
  const all = targets.map((t) => ({ name: t.name, ...sum(t.name) }));
  const cellsAll = all.map((a) => `${Math.round(a.rate).toLocaleString("en")} | ${a.cpuUs.toFixed(1)} + ${a.pgUs?.toFixed(1) ?? "?"}`);
  if (opt.base) {
    const [a, b] = all;
    const cpuRatio = a.pgUs !== null && b.pgUs !== null ? ((a.cpuUs + a.pgUs) / (b.cpuUs + b.pgUs)).toFixed(2) : "?";
    console.log(`| all | ${cellsAll.join(" | ")} | **${(a.rate / b.rate).toFixed(2)}×** |`);
    console.log(`\nthis / base: entries/s ${(a.rate / b.rate).toFixed(2)}×, CPU per entry (verify + PostgreSQL) ${cpuRatio}×`);
  } else console.log(`| all | ${cellsAll.join(" | ")} |`);
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${availableParallelism()} cores)`,
  );
  const bad = [...runs.values()].flat().filter((r) => !r.ok || r.entries !== total);
  await closePool();
  await db.embedded?.stop();
  if (bad.length) {
    console.error(`${bad.length} run(s) did not verify the whole history`);
    process.exitCode = 1;
  }
}

await main();
