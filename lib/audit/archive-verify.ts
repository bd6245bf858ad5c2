/**
 * Offline verification of the audit archives (lib/audit/archive-format.ts), without the database: every
 * manifest's signature and checkpoint, every file's SHA-256, and every entry of every file recomputed
 * and linked to the chain's previous archive. What it returns — each chain's last archived entry — is
 * where `mandate audit verify` continues on the live log (lib/audit/verify.ts): the first live entry of a
 * chain must follow it (seq + 1, prev_hash = its hash).
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { ARCHIVE_FORMAT, manifestSignatureValid, MANIFEST_SUFFIX, SegmentWalk, type ArchiveManifest, type ChainTail } from "./archive-format.ts";
import { loadCheckpointKey, verifyCheckpointSignature } from "./checkpoints.ts";

export interface ArchivesReport {
  dir: string;
  files: number;
  entries: number;
  /** Anything wrong: a tampered, missing or unsigned file, a broken chain. Empty: every archive verified. */
  problems: string[];
  /** Each chain's last archived entry (where the live log must continue). */
  tails: Map<string, ChainTail>;
  /** The oldest and newest month archived ([from, to) of created_at), null: none. */
  from: string | null;
  to: string | null;
  /** The hashes of the archived entries asked for (`chain#seq` → hash), to check signed checkpoints against. */
  found: Map<string, string>;
}

/** The manifests in `dir`, oldest month first (their names sort by month). */
export function readManifests(dir: string): { manifests: ArchiveManifest[]; problems: string[] } {
  const out = { manifests: [] as ArchiveManifest[], problems: [] as string[] };
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(MANIFEST_SUFFIX))
    .sort()) {
    try {
      out.manifests.push(JSON.parse(readFileSync(join(dir, name), "utf8")) as ArchiveManifest);
    } catch {
      out.problems.push(`${name}: not a manifest`);
    }
  }
  return out;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Verifies one archive file against its manifest; the tails move on to its last entries. */
async function verifyOne(
  dir: string,
  m: ArchiveManifest,
  tails: Map<string, ChainTail>,
  want: ReadonlySet<string>,
  found: Map<string, string>,
): Promise<string[]> {
  const path = join(dir, m.file);
  const name = m.file;
  if (m.format !== ARCHIVE_FORMAT) return [`${name}: unknown archive format ${String(m.format)}`];
  if (!/^[\w.-]+$/.test(m.file) || !existsSync(path)) return [`${name}: the archive file is missing`];
  if ((await sha256File(path)) !== m.sha256) return [`${name}: SHA-256 differs from its manifest — the file was altered`];
  const walk = new SegmentWalk(tails, { from: new Date(m.from), to: new Date(m.to) });
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!line) continue;
      const c = JSON.parse(line) as Array<string | null>;
      if (!walk.add(c)) break;
      const key = `${c[0]}#${Number(c[1])}`;
      if (want.has(key)) found.set(key, String(c[3]));
    }
  } catch (e) {
    return [`${name}: unreadable (${e instanceof Error ? e.message : String(e)})`];
  }
  if (walk.problem) return [`${name}: ${walk.problem}`];
  const problems: string[] = [];
  if (walk.entries !== m.entries) problems.push(`${name}: ${walk.entries} entries, its manifest says ${m.entries}`);
  const listed = new Map(m.chains.map((c) => [c.chain_id, c]));
  for (const [id, c] of walk.chains) {
    const l = listed.get(id);
    if (!l || l.first_seq !== c.first_seq || l.last_seq !== c.last_seq || l.last_hash !== c.last_hash || l.first_hash !== c.first_hash)
      problems.push(`${name}: chain ${id} differs from its manifest`);
    const head = m.checkpoint.heads.find((h) => h.chain_id === id);
    if (!head || head.seq !== c.last_seq || head.hash !== c.last_hash) problems.push(`${name}: chain ${id}'s last entry is not the one its checkpoint signed`);
    tails.set(id, { seq: c.last_seq, hash: c.last_hash });
  }
  if (listed.size !== walk.chains.size) problems.push(`${name}: its manifest lists ${listed.size} chains, the file holds ${walk.chains.size}`);
  return problems;
}

/**
 * Verifies every archive in `dir` (oldest first), with the checkpoint key of `dataDir`. `want`: archived
 * entries (`chain#seq`) whose hash the caller needs (signed checkpoint heads).
 */
export async function verifyArchives(dir: string, dataDir: string, want: ReadonlySet<string> = new Set()): Promise<ArchivesReport> {
  const { manifests, problems } = readManifests(dir);
  const report: ArchivesReport = { dir, files: 0, entries: 0, problems, tails: new Map(), from: null, to: null, found: new Map() };
  if (!manifests.length) return report;
  const key = loadCheckpointKey(dataDir, false);
  for (const m of manifests) {
    report.files++;
    const name = String(m.file);
    if (!key) report.problems.push(`${name}: no checkpoint key to verify its manifest`);
    else if (!manifestSignatureValid(m, key.publicKey)) report.problems.push(`${name}: manifest signature invalid`);
    else if (!verifyCheckpointSignature(m.checkpoint, key.publicKey)) report.problems.push(`${name}: checkpoint signature invalid`);
    const p = await verifyOne(dir, m, report.tails, want, report.found);
    report.problems.push(...p);
    if (!p.length) report.entries += m.entries;
    report.from ??= m.from;
    report.to = m.to;
  }
  return report;
}
