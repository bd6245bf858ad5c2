/**
 * `mandate audit verify`: recomputes every entry's hash from its stored columns, checks every link and
 * that sequence numbers are contiguous, then checks the signed checkpoints outside the database against
 * what is stored (a missing entry means truncation, another hash means rewriting). Reads each chain
 * with keyset pagination, so memory stays flat however long the log is.
 */
import { getPool } from "../db/pool.ts";
import { readCheckpointFile, loadCheckpointKey, verifyCheckpointSignature } from "./checkpoints.ts";
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
  checkpoints: { count: number; verified: number; problems: string[]; keyPresent: boolean };
  durationMs: number;
}

const PAGE = 5000;

export function rowToEntry(r: Record<string, any>): AuditEntryRow {
  return {
    chain_id: r.chain_id,
    seq: Number(r.seq),
    prev_hash: r.prev_hash,
    hash: r.hash,
    kind: r.kind,
    action: r.action,
    actor: r.actor,
    session_id: r.session_id,
    step: r.step,
    agent_id: r.agent_id,
    tool: r.tool,
    outcome: r.outcome,
    decision_id: r.decision_id,
    created_at: new Date(r.created_at).toISOString(),
    data: r.data,
  };
}

export async function verifyChain(chainId: string, onProgress?: (n: number) => void): Promise<{ entries: number; headSeq: number; broken: BrokenEntry | null }> {
  const pool = getPool();
  let after = 0;
  let prev = GENESIS_HASH;
  let n = 0;
  for (;;) {
    const r = await pool.query(
      `SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome, decision_id, created_at, data
         FROM audit_entries WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
      [chainId, after],
    );
    for (const raw of r.rows) {
      const e = rowToEntry(raw);
      const brokenAt = (reason: string) => ({ entries: n, headSeq: after, broken: { chain_id: chainId, seq: e.seq, reason } });
      if (e.seq !== after + 1) return brokenAt(`entry ${after + 1} is missing (next stored entry is ${e.seq})`);
      if (e.prev_hash !== prev) return brokenAt("link broken: prev_hash does not match the previous entry's hash");
      const { hash, ...rest } = e;
      if (computeEntryHash(rest) !== hash) return brokenAt("content altered: the stored hash does not match the entry's content");
      prev = hash;
      after = e.seq;
      n++;
    }
    onProgress?.(n);
    if (r.rows.length < PAGE) break;
  }
  return { entries: n, headSeq: after, broken: null };
}

export async function verifyAudit(dataDir: string): Promise<VerifyReport> {
  const t0 = Date.now();
  const pool = getPool();
  const chains = await pool.query(`SELECT id, node FROM audit_chains ORDER BY started_at, id`);
  const report: VerifyReport = {
    ok: true,
    entries: 0,
    chains: [],
    firstBroken: null,
    checkpoints: { count: 0, verified: 0, problems: [], keyPresent: false },
    durationMs: 0,
  };
  const heads = new Map<string, number>();
  for (const c of chains.rows) {
    const v = await verifyChain(c.id);
    report.entries += v.entries;
    heads.set(c.id, v.headSeq);
    report.chains.push({ chain_id: c.id, node: c.node, entries: v.entries, head_seq: v.headSeq, broken: v.broken });
    if (v.broken && !report.firstBroken) report.firstBroken = v.broken;
  }
  // Entries of a chain that is not registered (its audit_chains row deleted) are a tampering sign too.
  const orphan = await pool.query(`SELECT DISTINCT chain_id FROM audit_entries WHERE chain_id NOT IN (SELECT id FROM audit_chains) LIMIT 5`);
  for (const o of orphan.rows) {
    const b = { chain_id: o.chain_id, seq: 1, reason: "entries belong to a chain that is not registered" };
    report.firstBroken ??= b;
  }

  const key = loadCheckpointKey(dataDir, false);
  report.checkpoints.keyPresent = key !== null;
  const cps = readCheckpointFile(dataDir);
  report.checkpoints.count = cps.length;
  for (const cp of cps) {
    if (!key) {
      report.checkpoints.problems.push(`checkpoint ${cp.id}: no checkpoint key to verify its signature`);
      continue;
    }
    if (!verifyCheckpointSignature(cp, key.publicKey)) {
      report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): signature invalid`);
      continue;
    }
    let good = true;
    for (const h of cp.heads) {
      const r = await pool.query(`SELECT hash FROM audit_entries WHERE chain_id = $1 AND seq = $2`, [h.chain_id, h.seq]);
      if (!r.rowCount) {
        report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): entry ${h.chain_id}#${h.seq} is missing — history was truncated`);
        good = false;
      } else if (r.rows[0].hash !== h.hash) {
        report.checkpoints.problems.push(`checkpoint ${cp.id} (${cp.created_at}): entry ${h.chain_id}#${h.seq} has another hash — history was rewritten`);
        good = false;
      }
    }
    if (good) report.checkpoints.verified++;
  }
  report.ok = report.firstBroken === null && report.checkpoints.problems.length === 0;
  report.durationMs = Date.now() - t0;
  return report;
}
