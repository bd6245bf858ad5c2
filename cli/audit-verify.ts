/**
 * `mandate audit verify`: the report as text (or `--json`), progress on stderr while it runs (on a
 * terminal, or always with `--progress`; stdout stays the report alone).
 */
import { env } from "../lib/env.ts";
import { verifyAudit, type VerifyReport } from "../lib/audit/verify.ts";

export interface VerifyCommandOptions {
  json: boolean;
  progress: boolean;
  sinceCheckpoint: boolean;
  workers?: number;
}

/** One progress line: entries verified of the total, the share and the rate so far. */
export function progressLine(done: number, total: number, ms: number): string {
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const rate = ms > 0 ? Math.round(done / (ms / 1000)) : 0;
  return `verified ${done.toLocaleString("en")} / ${total.toLocaleString("en")} entries (${pct} %), ${rate.toLocaleString("en")} entries/s`;
}

/** The report's first line: how much was checked, in which mode, from where. */
export function summaryLine(r: VerifyReport): string {
  const scope =
    r.mode === "full"
      ? "full"
      : r.from
        ? `incremental: from checkpoint ${r.from.checkpoint_id} (${r.from.created_at}); entries before each chain's from_seq were not recomputed`
        : "incremental requested, but no checkpoint could be trusted: full";
  return (
    `${r.entries} entries in ${r.chains.length} chain(s) recomputed [${scope}], ` +
    `${r.checkpoints.verified}/${r.checkpoints.count} checkpoint(s) verified, ${r.durationMs} ms, ${r.workers} worker(s)`
  );
}

export async function auditVerifyCommand(o: VerifyCommandOptions, stderr: NodeJS.WriteStream = process.stderr): Promise<number> {
  const tty = stderr.isTTY === true;
  const show = o.progress || tty;
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  const r = await verifyAudit(env().dataDir, {
    mode: o.sinceCheckpoint ? "since-checkpoint" : "full",
    workers: o.workers,
    by: "cli",
    onProgress: show
      ? ({ done, total }) => {
          const now = performance.now();
          if (now - last < (tty ? 200 : 1000) && done < total) return;
          last = now;
          shown = true;
          const line = progressLine(done, total, now - t0);
          stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
        }
      : undefined,
  });
  if (shown && tty) stderr.write("\n");
  if (o.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    return r.ok ? 0 : 1;
  }
  console.log(summaryLine(r));
  for (const n of r.checkpoints.notes) console.log(`note: ${n}`);
  if (r.firstBroken) console.error(`BROKEN: chain ${r.firstBroken.chain_id} entry ${r.firstBroken.seq}: ${r.firstBroken.reason}`);
  for (const p of r.checkpoints.problems) console.error(`CHECKPOINT: ${p}`);
  if (r.archives.files)
    console.log(`archives: ${r.archives.files} file(s), ${r.archives.entries} entries from ${r.archives.from} to ${r.archives.to} (${r.archives.dir})`);
  for (const p of r.archives.problems) console.error(`ARCHIVE: ${p}`);
  if (r.ok) console.log(r.mode === "full" ? "audit log intact" : r.from ? "audit log intact since the checkpoint" : "audit log intact");
  return r.ok ? 0 : 1;
}
