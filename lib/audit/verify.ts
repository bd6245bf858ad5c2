/**
 * `mandate audit verify`: recomputes every entry's hash from its stored columns, checks every link and
 * that sequence numbers are contiguous, and checks the signed checkpoints outside the database against
 * what is stored (a missing entry means truncation, another hash means rewriting).
 *
 * Each chain is cut into seq ranges, verified on worker threads (one per core by default), each with a
 * connection of its own reading PostgreSQL's text output in keyset pages (lib/audit/verify-range.mjs);
 * the ranges are joined again in order (lib/audit/verify-combine.ts), so the report is that of one walk
 * per chain. The checkpointed heads are compared during the walk (no query per checkpoint).
 *
 * Two modes. `full` (the default) recomputes every entry from the genesis of each chain.
 * `since-checkpoint` trusts, for each chain, the head signed by the newest checkpoint whose signature
 * verifies and whose every head matches the hash stored, and recomputes the entries after it: the report
 * says so (mode, from, each chain's from_seq); entries before are not recomputed.
 */
import { availableParallelism } from "node:os";
import { databaseUrl, getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { readCheckpoints, loadCheckpointKey, verifyCheckpointSignature, type Checkpoint } from "./checkpoints.ts";
import { GENESIS_HASH, type AuditEntryRow } from "./hash.ts";
import { auditArchiveDir } from "./archive-format.ts";
import { verifyArchives } from "./archive-verify.ts";
import { combineRanges } from "./verify-combine.ts";
import { runRanges } from "./verify-pool.ts";
import { recordLastVerify } from "./last-verify.ts";
import type { RangeTask } from "./verify-range.mjs";

export interface BrokenEntry {
  chain_id: string;
  seq: number;
  reason: string;
}

export type VerifyMode = "full" | "since-checkpoint";

export interface VerifyReport {
  ok: boolean;
  mode: VerifyMode;
  /** since-checkpoint: the newest checkpoint a chain resumed from (null: full, or none could be trusted). */
  from: { checkpoint_id: string; created_at: string } | null;
  /** Entries recomputed in this run. */
  entries: number;
  /** from_seq: the first entry recomputed (1 in a full run); from_checkpoint: the checkpoint trusted for the entries before. */
  chains: Array<{
    chain_id: string;
    node: string;
    entries: number;
    from_seq: number;
    from_checkpoint: string | null;
    head_seq: number;
    broken: BrokenEntry | null;
  }>;
  firstBroken: BrokenEntry | null;
  checkpoints: { count: number; verified: number; problems: string[]; notes: string[]; keyPresent: boolean };
  /** The archives (lib/audit/archive-verify.ts), verified offline; each chain's live log continues its last archived entry. */
  archives: { dir: string; files: number; entries: number; from: string | null; to: string | null; problems: string[] };
  workers: number;
  durationMs: number;
}

export interface VerifyOptions {
  mode?: VerifyMode;
  /** Where the archives are (default: auditArchiveDir(dataDir)). */
  archiveDir?: string;
  /** Worker threads (default: os.availableParallelism()); 1 verifies on the calling thread. */
  workers?: number;
  /** Entries per range (default: ranges shrinking from 1/(2 × workers) of the whole to 4,000 entries, so that the workers finish together). */
  rangeSize?: number;
  /** "text": read `data` as jsonb's text even where its stored form could be read (tests, bench:verify --read text). */
  read?: "text";
  /** Called as entries are verified: done so far, and the total expected (the stored heads' seqs). */
  onProgress?: (p: { done: number; total: number }) => void;
  /** Who asked (`user:<email>`, `cli`), kept with the result as the last verification. */
  by?: string;
}

/** An audit entry as stored (every column). */
export type StoredEntry = Row<"audit_entries">;

export function rowToEntry(r: StoredEntry): AuditEntryRow {
  return {
    chain_id: r.chain_id,
    seq: Number(r.seq),
    prev_hash: r.prev_hash,
    hash: r.hash,
    kind: r.kind as AuditEntryRow["kind"],
    action: r.action,
    actor: r.actor,
    session_id: r.session_id,
    step: r.step,
    agent_id: r.agent_id,
    tool: r.tool,
    outcome: r.outcome,
    decision_id: r.decision_id,
    created_at: r.created_at.toISOString(),
    data: r.data as AuditEntryRow["data"],
  };
}

/** Below this many entries to recompute, one thread verifies (starting workers would cost more than they save). */
const MIN_RANGE = 20_000;
/** The smallest range handed out by default (a range costs a statement and its start: ~10 ms). */
const MIN_TAIL_RANGE = 4_000;

/** Where each chain starts: after seq (0 = genesis) with that hash, trusted from a checkpoint or not. */
interface Start {
  seq: number;
  hash: string;
  checkpoint: Checkpoint | null;
}

/** A checkpointed head to find while walking its chain: seq → the hash signed, and where. */
type Expected = Map<number, { hash: string; checkpoints: Checkpoint[] }>;

/** Verifies one chain from its genesis (the seed's self-check). */
export async function verifyChain(chainId: string): Promise<{ entries: number; headSeq: number; broken: BrokenEntry | null }> {
  const [r] = await runRanges(databaseUrl(), [{ chain_id: chainId, lo: 1, hi: null, expected: [] }], 1);
  const w = combineRanges(chainId, { seq: 0, hash: GENESIS_HASH }, [r]);
  return { entries: w.entries, headSeq: w.headSeq, broken: w.broken };
}

/** The stored hash of each (chain, seq) asked for (absent: no such entry). */
async function storedHashes(heads: Array<{ chain_id: string; seq: number }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!heads.length) return out;
  const r = await getPool().query<Row<"audit_entries", "chain_id" | "seq" | "hash">>(
    `SELECT e.chain_id, e.seq, e.hash FROM unnest($1::uuid[], $2::bigint[]) AS h(chain_id, seq)
       JOIN audit_entries e ON e.chain_id = h.chain_id AND e.seq = h.seq`,
    [heads.map((h) => h.chain_id), heads.map((h) => h.seq)],
  );
  for (const x of r.rows) out.set(`${x.chain_id}#${Number(x.seq)}`, x.hash);
  return out;
}

export async function verifyAudit(dataDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = Date.now();
  const mode = opts.mode ?? "full";
  const workers = Math.max(1, Math.floor(opts.workers ?? availableParallelism()));
  const pool = getPool();
  const chains = await pool.query<Row<"audit_chains", "id" | "node"> & { max_seq: number | null }>(
    `SELECT c.id, c.node, (SELECT max(seq) FROM audit_entries e WHERE e.chain_id = c.id) AS max_seq FROM audit_chains c ORDER BY c.started_at, c.id`,
  );
  const report: VerifyReport = {
    ok: true,
    mode,
    from: null,
    entries: 0,
    chains: [],
    firstBroken: null,
    checkpoints: { count: 0, verified: 0, problems: [], notes: [], keyPresent: false },
    archives: { dir: "", files: 0, entries: 0, from: null, to: null, problems: [] },
    workers: 1,
    durationMs: 0,
  };
  // The checkpoints first: their signed heads are checked while each chain is walked.
  const key = loadCheckpointKey(dataDir, false);
  report.checkpoints.keyPresent = key !== null;
  const file = readCheckpoints(dataDir);
  report.checkpoints.count = file.checkpoints.length;
  report.checkpoints.problems.push(...file.problems);
  report.checkpoints.notes.push(...file.notes);
  const expected = new Map<string, Expected>();
  const bad = new Set<Checkpoint>();
  const signed: Checkpoint[] = [];
  for (const cp of file.checkpoints) {
    if (!key) {
      report.checkpoints.problems.push(`checkpoint ${cp.id}: no checkpoint key to verify its signature`);
      bad.add(cp);
      continue;
    }
    if (!verifyCheckpointSignature(cp, key.publicKey)) {
      report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): signature invalid`);
      bad.add(cp);
      continue;
    }
    signed.push(cp);
    for (const h of cp.heads) {
      let m = expected.get(h.chain_id);
      if (!m) expected.set(h.chain_id, (m = new Map<number, { hash: string; checkpoints: Checkpoint[] }>()));
      const seen = m.get(h.seq);
      if (!seen) m.set(h.seq, { hash: h.hash, checkpoints: [cp] });
      else if (seen.hash === h.hash) seen.checkpoints.push(cp);
      else {
        report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): entry ${h.chain_id}#${h.seq} was signed with two different hashes`);
        bad.add(cp);
      }
    }
  }
  const problem = (cp: Checkpoint, text: string) => {
    report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): ${text}`);
    bad.add(cp);
  };

  // The archives, verified offline: a chain whose beginning is archived starts after its last archived
  // entry; signed heads inside the archives are checked against the archived hashes.
  const want = new Set([...expected].flatMap(([chain, m]) => [...m.keys()].map((seq) => `${chain}#${seq}`)));
  const archives = await verifyArchives(opts.archiveDir ?? auditArchiveDir(dataDir), dataDir, want);
  report.archives = { dir: archives.dir, files: archives.files, entries: archives.entries, from: archives.from, to: archives.to, problems: archives.problems };
  const archivedUpTo = (chain: string) => archives.tails.get(chain)?.seq ?? 0;
  for (const [chainId, exp] of expected)
    for (const [seq, s] of exp) {
      if (seq > archivedUpTo(chainId)) continue;
      const at = archives.found.get(`${chainId}#${seq}`);
      if (at === undefined) for (const cp of s.checkpoints) problem(cp, `entry ${chainId}#${seq} is missing from the archives`);
      else if (at !== s.hash) for (const cp of s.checkpoints) problem(cp, `archived entry ${chainId}#${seq} has another hash — history was rewritten`);
    }

  // Where each chain starts. Since a checkpoint: the newest checkpoint holding the chain whose signature
  // verifies and whose every head is stored with the hash signed. The signed heads before a chain's
  // start are compared with the stored hashes (they are not recomputed).
  const starts = new Map<string, Start>();
  if (mode === "since-checkpoint") {
    const stored = await storedHashes([...expected].flatMap(([chain_id, m]) => [...m.keys()].map((seq) => ({ chain_id, seq }))));
    for (const [k, hash] of archives.found) stored.set(k, hash);
    const matches = (cp: Checkpoint) => !bad.has(cp) && cp.heads.every((h) => stored.get(`${h.chain_id}#${h.seq}`) === h.hash);
    for (let i = signed.length - 1; i >= 0; i--) {
      const cp = signed[i];
      if (!matches(cp)) continue;
      for (const h of cp.heads) if (!starts.has(h.chain_id)) starts.set(h.chain_id, { seq: h.seq, hash: h.hash, checkpoint: cp });
      const created = report.from?.created_at;
      if (!report.from || (created !== undefined && cp.created_at > created)) report.from = { checkpoint_id: cp.id, created_at: cp.created_at };
    }
    for (const [chainId, exp] of expected) {
      const from = starts.get(chainId)?.seq ?? 0;
      for (const [seq, s] of exp) {
        if (seq > from || seq <= archivedUpTo(chainId)) continue; // checked during the walk, or against the archives
        const at = stored.get(`${chainId}#${seq}`);
        if (at === undefined) for (const cp of s.checkpoints) problem(cp, `entry ${chainId}#${seq} is missing — history was truncated`);
        else if (at !== s.hash) for (const cp of s.checkpoints) problem(cp, `entry ${chainId}#${seq} has another hash — history was rewritten`);
      }
    }
    if (!report.from)
      report.checkpoints.notes.push(
        "no checkpoint could be trusted (none whose signature verifies and whose heads match what is stored): every entry was recomputed",
      );
  }

  // The ranges: every chain from its start to its stored head, cut so that every worker stays busy;
  // the last range of a chain is open-ended (entries appended meanwhile are verified too).
  for (const [chainId, tail] of archives.tails)
    if ((starts.get(chainId)?.seq ?? 0) < tail.seq) starts.set(chainId, { seq: tail.seq, hash: tail.hash, checkpoint: null });
  const plan = chains.rows.map((c) => {
    const start = starts.get(c.id) ?? { seq: 0, hash: GENESIS_HASH, checkpoint: null };
    return { c, start, count: Math.max(0, (c.max_seq ?? 0) - start.seq) };
  });
  const total = plan.reduce((a, p) => a + p.count, 0);
  // Ranges are handed out in order. By default each is a share of what is left to hand out (guided
  // self-scheduling): large ranges first, ever smaller ones at the end, so that the workers finish
  // together (with equal ranges, one worker could sit idle for most of a range's time at the end).
  const fixed = opts.rangeSize === undefined ? null : Math.max(1, Math.floor(opts.rangeSize));
  let unassigned = total;
  const nextSize = () => fixed ?? Math.max(MIN_TAIL_RANGE, Math.ceil(unassigned / (2 * workers)));
  const tasks: RangeTask[] = [];
  const taskIndex: Array<{ first: number; n: number }> = [];
  for (const p of plan) {
    const exp = [...(expected.get(p.c.id) ?? [])].filter(([seq]) => seq > p.start.seq).map(([seq, s]) => [seq, s.hash] as [number, string]);
    const first = tasks.length;
    const last = p.start.seq + p.count;
    let lo = p.start.seq + 1;
    do {
      const size = nextSize();
      const hi = lo + size - 1 >= last ? null : lo + size - 1;
      tasks.push({ chain_id: p.c.id, lo, hi, expected: exp.filter(([seq]) => seq >= lo && (hi === null || seq <= hi)), read: opts.read });
      unassigned -= Math.min(size, Math.max(0, last - lo + 1));
      lo += size;
    } while (tasks[tasks.length - 1].hi !== null);
    taskIndex.push({ first, n: tasks.length - first });
  }
  let done = 0;
  // A small history is verified on this thread: starting workers would cost more than they save.
  const used = opts.rangeSize === undefined && total < MIN_RANGE ? 1 : Math.min(workers, tasks.length);
  report.workers = used;
  opts.onProgress?.({ done, total });
  const results = await runRanges(databaseUrl(), tasks, used, (n) => {
    done += n;
    opts.onProgress?.({ done, total });
  });

  const registered = new Set<string>();
  plan.forEach(({ c, start }, i) => {
    registered.add(c.id);
    const exp = expected.get(c.id);
    const { first, n } = taskIndex[i];
    const v = combineRanges(c.id, start, results.slice(first, first + n));
    report.entries += v.entries;
    report.chains.push({
      chain_id: c.id,
      node: c.node,
      entries: v.entries,
      from_seq: start.seq + 1,
      from_checkpoint: start.checkpoint?.id ?? null,
      head_seq: v.headSeq,
      broken: v.broken,
    });
    if (v.broken && !report.firstBroken) report.firstBroken = v.broken;
    for (const seq of v.mismatches)
      for (const cp of exp?.get(seq)?.checkpoints ?? []) problem(cp, `entry ${c.id}#${seq} has another hash — history was rewritten`);
    // A signed head beyond what is stored (or beyond a break) is an entry that went missing.
    for (const [seq, s] of exp ?? []) {
      if (seq <= v.headSeq) continue;
      const why = v.broken
        ? `entry ${c.id}#${seq} cannot be checked: the chain breaks before it, at #${v.broken.seq}`
        : `entry ${c.id}#${seq} is missing — history was truncated`;
      for (const cp of s.checkpoints) problem(cp, why);
    }
  });
  for (const [chainId, exp] of expected) {
    if (registered.has(chainId)) continue;
    for (const [seq, s] of exp) for (const cp of s.checkpoints) problem(cp, `entry ${chainId}#${seq} is missing — history was truncated (its chain is gone)`);
  }
  // Entries of a chain that is not registered (its audit_chains row deleted) are a tampering sign too.
  // The chain ids stored are found by skipping through the primary key, one probe per chain (a scan of
  // every entry's key took ~4 % of a full verification of 300,000 entries).
  const orphan = await pool.query<Row<"audit_entries", "chain_id">>(
    `WITH RECURSIVE ids (chain_id) AS (
       (SELECT chain_id FROM audit_entries ORDER BY chain_id LIMIT 1)
       UNION ALL
       SELECT (SELECT e.chain_id FROM audit_entries e WHERE e.chain_id > ids.chain_id ORDER BY e.chain_id LIMIT 1) FROM ids WHERE ids.chain_id IS NOT NULL)
     SELECT chain_id FROM ids WHERE chain_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_chains c WHERE c.id = ids.chain_id) LIMIT 5`,
  );
  for (const o of orphan.rows) {
    const b = { chain_id: o.chain_id, seq: 1, reason: "entries belong to a chain that is not registered" };
    report.firstBroken ??= b;
  }
  report.checkpoints.verified = file.checkpoints.filter((cp) => !bad.has(cp)).length;
  report.ok = report.firstBroken === null && report.checkpoints.problems.length === 0 && report.archives.problems.length === 0;
  report.durationMs = Date.now() - t0;
  await recordLastVerify(report, opts.by ?? null);
  return report;
}
