/**
 * `mandate audit verify`: recomputes every entry's hash from its stored columns, checks every link and
 * that sequence numbers are contiguous, and checks the signed checkpoints outside the database against
 * what is stored (a missing entry means truncation, another hash means rewriting). Reads each chain
 * once with keyset pagination; the checkpointed heads are compared during that walk (no query per
 * checkpoint), so the time is linear in entries + checkpoints.
 */
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { readCheckpoints, loadCheckpointKey, verifyCheckpointSignature, type Checkpoint } from "./checkpoints.ts";
import { computeEntryHash, GENESIS_HASH, type AuditEntryRow } from "./hash.ts";

export interface BrokenEntry {
  chain_id: string;
  seq: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  chains: Array<{ chain_id: string; node: string; entries: number; head_seq: number; broken: BrokenEntry | null }>;
  firstBroken: BrokenEntry | null;
  checkpoints: { count: number; verified: number; problems: string[]; notes: string[]; keyPresent: boolean };
  durationMs: number;
}

const PAGE = 5000;

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

/** A checkpointed head to find while walking its chain: seq → the hash signed, and where. */
type Expected = Map<number, { hash: string; checkpoints: Checkpoint[] }>;

export async function verifyChain(
  chainId: string,
  onProgress?: (n: number) => void,
  expected?: Expected,
): Promise<{ entries: number; headSeq: number; broken: BrokenEntry | null; mismatches: Array<{ seq: number; checkpoints: Checkpoint[] }> }> {
  const pool = getPool();
  let after = 0;
  let prev = GENESIS_HASH;
  let n = 0;
  const mismatches: Array<{ seq: number; checkpoints: Checkpoint[] }> = [];
  for (;;) {
    const r = await pool.query<StoredEntry>(
      `SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data
         FROM audit_entries WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [chainId, after],
    );
    for (const raw of r.rows) {
      const e = rowToEntry(raw);
      const brokenAt = (reason: string) => ({ entries: n, headSeq: after, broken: { chain_id: chainId, seq: e.seq, reason }, mismatches });
      if (e.seq !== after + 1) return brokenAt(`entry ${after + 1} is missing (next stored entry is ${e.seq})`);
      if (e.prev_hash !== prev) return brokenAt("link broken: prev_hash does not match the previous entry's hash");
      const { hash, ...rest } = e;
      if (computeEntryHash(rest) !== hash) return brokenAt("content altered: the stored hash does not match the entry's content");
      const signed = expected?.get(e.seq);
      if (signed && signed.hash !== hash) mismatches.push({ seq: e.seq, checkpoints: signed.checkpoints });
      prev = hash;
      after = e.seq;
      n++;
    }
    onProgress?.(n);
    if (r.rows.length < PAGE) break;
  }
  return { entries: n, headSeq: after, broken: null, mismatches };
}

export async function verifyAudit(dataDir: string): Promise<VerifyReport> {
  const t0 = Date.now();
  const pool = getPool();
  const chains = await pool.query<Row<"audit_chains", "id" | "node">>(`SELECT id, node FROM audit_chains ORDER BY started_at, id`);
  const report: VerifyReport = {
    ok: true,
    entries: 0,
    chains: [],
    firstBroken: null,
    checkpoints: { count: 0, verified: 0, problems: [], notes: [], keyPresent: false },
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
    for (const h of cp.heads) {
      let m = expected.get(h.chain_id);
      if (!m) expected.set(h.chain_id, (m = new Map()));
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

  const registered = new Set<string>();
  for (const c of chains.rows) {
    registered.add(c.id);
    const exp = expected.get(c.id);
    const v = await verifyChain(c.id, undefined, exp);
    report.entries += v.entries;
    report.chains.push({ chain_id: c.id, node: c.node, entries: v.entries, head_seq: v.headSeq, broken: v.broken });
    if (v.broken && !report.firstBroken) report.firstBroken = v.broken;
    for (const mm of v.mismatches) for (const cp of mm.checkpoints) problem(cp, `entry ${c.id}#${mm.seq} has another hash — history was rewritten`);
    // A signed head beyond what is stored (or beyond a break) is an entry that went missing.
    for (const [seq, s] of exp ?? []) {
      if (seq <= v.headSeq) continue;
      const why = v.broken
        ? `entry ${c.id}#${seq} cannot be checked: the chain breaks before it, at #${v.broken.seq}`
        : `entry ${c.id}#${seq} is missing — history was truncated`;
      for (const cp of s.checkpoints) problem(cp, why);
    }
  }
  for (const [chainId, exp] of expected) {
    if (registered.has(chainId)) continue;
    for (const [seq, s] of exp) for (const cp of s.checkpoints) problem(cp, `entry ${chainId}#${seq} is missing — history was truncated (its chain is gone)`);
  }
  // Entries of a chain that is not registered (its audit_chains row deleted) are a tampering sign too.
  const orphan = await pool.query<Row<"audit_entries", "chain_id">>(
    `SELECT DISTINCT chain_id FROM audit_entries WHERE chain_id NOT IN (SELECT id FROM audit_chains) LIMIT 5`,
  );
  for (const o of orphan.rows) {
    const b = { chain_id: o.chain_id, seq: 1, reason: "entries belong to a chain that is not registered" };
    report.firstBroken ??= b;
  }
  report.checkpoints.verified = file.checkpoints.filter((cp) => !bad.has(cp)).length;
  report.ok = report.firstBroken === null && report.checkpoints.problems.length === 0;
  report.durationMs = Date.now() - t0;
  return report;
}
