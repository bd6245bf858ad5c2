/**
 * The last audit verification, kept in `settings` (LAST_VERIFY_SETTING) by every `audit verify` — console,
 * API and CLI — when it finishes: when, by whom, in which mode, and how far each chain was found intact.
 * The audit page shows it ("last verified at", per chain), the posture report checks its age. A record
 * for people to read, not evidence: the chains and the signed checkpoints are the evidence.
 */
import { getPool } from "../db/pool.ts";
import type { VerifyMode, VerifyReport } from "./verify.ts";

/** The setting the posture report and the audit page read ("audit chain verified 4 min ago"): the last verification's time, mode and result. */
export const LAST_VERIFY_SETTING = "audit.last_verify";

/** The last verification, kept across page loads and nodes: when, by whom, how, and how far each chain was found intact. */
export interface LastVerify {
  at: string;
  ok: boolean;
  mode: VerifyMode;
  entries: number;
  /** The number of chains walked. */
  chains: number;
  by: string | null;
  /** Each chain walked: up to which entry it was verified, and where it broke (null: intact up to its head). */
  per_chain: Array<{ chain_id: string; node: string; head_seq: number; broken_seq: number | null }>;
}

export async function recordLastVerify(r: VerifyReport, by: string | null): Promise<void> {
  const value: LastVerify = {
    at: new Date().toISOString(),
    ok: r.ok,
    mode: r.mode,
    entries: r.entries,
    chains: r.chains.length,
    by,
    per_chain: r.chains.map((c) => ({ chain_id: c.chain_id, node: c.node, head_seq: c.head_seq, broken_seq: c.broken?.seq ?? null })),
  };
  await getPool().query(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [LAST_VERIFY_SETTING, JSON.stringify(value)],
  );
}

/** The last verification recorded (null: none yet). Older records lack `by` and `per_chain`. */
export async function readLastVerify(): Promise<LastVerify | null> {
  const r = await getPool().query<{ value: Partial<LastVerify> & Pick<LastVerify, "at" | "ok" | "mode" | "entries"> }>(
    `SELECT value FROM settings WHERE key = $1`,
    [LAST_VERIFY_SETTING],
  );
  const v = r.rows[0]?.value;
  return v ? { chains: 0, by: null, per_chain: [], ...v } : null;
}
