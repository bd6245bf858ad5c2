/**
 * `mandate audit archive --before <date>` (and the retention duty, lib/audit/retention.ts): seals every
 * month partition of audit_entries that ends on or before `before` — oldest first, whole partitions only —
 * into a compressed file with its manifest and a signed checkpoint (lib/audit/archive-format.ts), then
 * drops the partition in the transaction that appends the `audit.archive` entry.
 *
 * A partition is refused (and nothing after it archived) when it is not the beginning of the live log
 * of each of its chains: an older entry of one of its chains still live (in another partition, or in
 * the default one), or a chain that does not continue its previous archive. Every entry is recomputed
 * while it is written; a segment that does not verify is never sealed.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { databaseUrl, getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { adminAction } from "./admin-action.ts";
import { ARCHIVE_FORMAT, archiveFileName, manifestFileName, SegmentWalk, signManifest, type ArchiveManifest } from "./archive-format.ts";
import { readManifests } from "./archive-verify.ts";
import { loadCheckpointKey, writeCheckpoint } from "./checkpoints.ts";
import { AUDIT_ARCHIVE_ENTRY } from "./entries/index.ts";
import { listAuditPartitions, type AuditPartition } from "./partitions.ts";
import { COLUMNS, openReader } from "./verify-range.mjs";

const FETCH = 5000;

export interface ArchiveResult {
  archived: Array<{ partition: string; file: string; entries: number; chains: number }>;
  /** Month partitions ending after `before` (kept: they are not whole yet). */
  kept: number;
}

/** Writes the partition's entries to `<dir>/<file>.tmp` (gzip NDJSON), checking each; the walk is returned. */
async function dumpPartition(p: AuditPartition, tmp: string, tails: ReturnType<typeof tailsOf>): Promise<SegmentWalk> {
  const walk = new SegmentWalk(tails, p);
  const reader = await openReader(databaseUrl());
  const gz = createGzip({ level: 6 });
  const out = gz.pipe(createWriteStream(tmp, { mode: 0o600 }));
  try {
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await reader.query(`DECLARE seg NO SCROLL CURSOR FOR SELECT ${COLUMNS} FROM ONLY "${p.name}" ORDER BY chain_id, seq`);
    for (;;) {
      const r = await reader.query({ text: `FETCH ${FETCH} FROM seg`, rowMode: "array", types: { getTypeParser: () => (v: string) => v } });
      for (const c of r.rows as Array<Array<string | null>>) {
        if (!walk.add(c)) throw new MandateError(409, "conflict", `${p.name} does not verify, not archived: ${walk.problem}`);
        if (!gz.write(JSON.stringify(c) + "\n")) await once(gz, "drain");
      }
      if (r.rows.length < FETCH) break;
    }
    await reader.query("COMMIT");
    gz.end();
    await once(out, "finish");
    return walk;
  } catch (e) {
    gz.destroy();
    out.destroy();
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    await reader.end().catch(() => {});
  }
}

function tailsOf(manifests: ArchiveManifest[]) {
  const tails = new Map<string, { seq: number; hash: string }>();
  for (const m of manifests) for (const c of m.chains) tails.set(c.chain_id, { seq: c.last_seq, hash: c.last_hash });
  return tails;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Archives the month partitions that end on or before `before` into `dir`; see the module comment. */
export async function archiveAudit(rt: NodeContext, opts: { before: Date; dir: string; dataDir: string; actor: string }): Promise<ArchiveResult> {
  if (Number.isNaN(opts.before.getTime())) throw new MandateError(400, "invalid_request", "--before must be a date (YYYY-MM-DD or ISO 8601)");
  if (opts.before.getTime() > Date.now()) throw new MandateError(400, "invalid_request", "--before must not be in the future");
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const key = loadCheckpointKey(opts.dataDir, true)!;
  const { manifests, problems } = readManifests(opts.dir);
  if (problems.length) throw new MandateError(409, "conflict", `the archive directory has problems, nothing archived: ${problems.join("; ")}`);
  const parts = await listAuditPartitions();
  // A manifest of a partition still there is an archive whose DROP failed: it is written again.
  const tails = tailsOf(manifests.filter((m) => !parts.some((p) => p.name === m.partition)));
  const due = parts.filter((p) => p.to.getTime() <= opts.before.getTime());
  const result: ArchiveResult = { archived: [], kept: parts.length - due.length };
  for (const p of due) {
    await assertPrefix(p);
    const file = archiveFileName(p.name);
    const tmp = join(opts.dir, `${file}.tmp`);
    const walk = await dumpPartition(p, tmp, tails);
    const chains = [...walk.chains.values()];
    const checkpoint = (await writeCheckpoint(opts.dataDir, { heads: chains.map((c) => ({ chain_id: c.chain_id, seq: c.last_seq, hash: c.last_hash })) }))!;
    const body: Omit<ArchiveManifest, "signature"> = {
      format: ARCHIVE_FORMAT,
      partition: p.name,
      from: p.from.toISOString(),
      to: p.to.toISOString(),
      file,
      sha256: await sha256File(tmp),
      bytes: statSync(tmp).size,
      entries: walk.entries,
      chains,
      checkpoint,
      archived_at: new Date().toISOString(),
      key_id: key.keyId,
    };
    const manifest: ArchiveManifest = { ...body, signature: signManifest(body, key.privateKey!) };
    renameSync(tmp, join(opts.dir, file));
    writeFileSync(join(opts.dir, manifestFileName(p.name)), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
    await dropPartition(rt, p, manifest, opts.actor);
    for (const c of chains) tails.set(c.chain_id, { seq: c.last_seq, hash: c.last_hash });
    result.archived.push({ partition: p.name, file, entries: walk.entries, chains: chains.length });
  }
  return result;
}

/** Refuses a partition that is not the beginning of each of its chains' live log. */
async function assertPrefix(p: AuditPartition): Promise<void> {
  const r = await getPool().query<{ chain_id: string; part: string }>(
    `SELECT s.chain_id, e.tableoid::regclass::text AS part
       FROM (SELECT chain_id, max(seq) AS hi FROM ONLY "${p.name}" GROUP BY chain_id) s
       JOIN LATERAL (SELECT tableoid FROM audit_entries e WHERE e.chain_id = s.chain_id AND e.seq < s.hi
                        AND e.tableoid <> '"${p.name}"'::regclass LIMIT 1) e ON true
      LIMIT 1`,
  );
  if (r.rows.length)
    throw new MandateError(409, "conflict", `${p.name} not archived: older entries of chain ${r.rows[0].chain_id} are still live in ${r.rows[0].part}`);
}

/**
 * Drops the partition in the admin action that appends its `audit.archive` entry: the entries still
 * there must be exactly those sealed (inserts into it are blocked while they are counted), and the
 * parent is locked only for the DROP (waiting at most 5 s for it: a long reader makes it fail, not stall decisions).
 */
async function dropPartition(rt: NodeContext, p: AuditPartition, m: ArchiveManifest, actor: string): Promise<void> {
  await adminAction(rt, async (tx) => {
    await tx.query(`SET LOCAL lock_timeout = '5s'`);
    await tx.query(`LOCK TABLE ONLY "${p.name}" IN SHARE MODE`);
    const n = Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM ONLY "${p.name}"`)).rows[0].n);
    if (n !== m.entries) throw new MandateError(409, "conflict", `${p.name} changed while it was archived (${n} entries, ${m.entries} sealed): kept`);
    await tx.query(`LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE`);
    await tx.query(`DROP TABLE "${p.name}"`);
    return {
      result: null,
      audit: AUDIT_ARCHIVE_ENTRY.entry({
        actor,
        data: {
          partition: p.name,
          from: m.from,
          to: m.to,
          file: m.file,
          sha256: m.sha256,
          entries: m.entries,
          chains: m.chains.length,
          checkpoint_id: m.checkpoint.id,
        },
      }),
    };
  });
}
