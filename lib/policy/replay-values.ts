/**
 * Real argument values for what-if replay. Decisions store redacted arguments; a replay that needs a
 * redacted value must either have the real one or report the decision as undeterminable — never
 * evaluate the redaction marker as if it were the value. When an admin sets a retention (days > 0),
 * the real values of decisions whose arguments were redacted are kept here encrypted with the master
 * key, and deleted when they expire or when the retention is shortened.
 */
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { decryptSecret, encryptSecret } from "../crypto/master-key.ts";
import { getPool } from "../db/pool.ts";
import { REPLAY_RETENTION_ENTRY } from "../audit/entries/index.ts";
import type { Row, WithJson } from "../db/rows.ts";

export const RETENTION_KEY = "replay_retention_days";
export const MAX_RETENTION_DAYS = 90;

let cached: { days: number; at: number } | null = null;

/** The retention in days, read at most `maxAgeMs` ago (the console page reads it fresh: 0). */
export async function getReplayRetentionDays(maxAgeMs = 30_000): Promise<number> {
  if (cached && Date.now() - cached.at < maxAgeMs) return cached.days;
  const r = await getPool().query<WithJson<Row<"settings", "value">, { value: { days?: unknown } | null }>>(`SELECT value FROM settings WHERE key = $1`, [
    RETENTION_KEY,
  ]);
  const days = Number(r.rows[0]?.value?.days ?? 0);
  cached = { days: Number.isFinite(days) ? days : 0, at: Date.now() };
  return cached.days;
}

/** Sets the retention (0 = keep no real values); values older than the new retention are deleted at once. */
export async function setReplayRetentionDays(rt: NodeContext, days: number, actor: string): Promise<{ days: number; deleted: number }> {
  if (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS) throw new RangeError(`retention must be 0–${MAX_RETENTION_DAYS} days`);
  const deleted = await adminAction(rt, async (tx) => {
    const before = await tx.query<WithJson<Row<"settings", "value">, { value: { days?: unknown } | null }>>(`SELECT value FROM settings WHERE key = $1`, [
      RETENTION_KEY,
    ]);
    await tx.query(
      `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [RETENTION_KEY, JSON.stringify({ days })],
    );
    const d = await tx.query(`DELETE FROM replay_values WHERE created_at < now() - make_interval(days => $1::int) OR $1::int = 0`, [days]);
    await tx.query(`UPDATE replay_values SET expires_at = LEAST(expires_at, created_at + make_interval(days => $1::int))`, [days]);
    return {
      result: d.rowCount ?? 0,
      audit: REPLAY_RETENTION_ENTRY.entry({
        actor,
        data: { days, previous_days: (before.rows[0]?.value?.days as number | undefined) ?? 0, deleted: d.rowCount ?? 0 },
      }),
    };
  });
  cached = { days, at: Date.now() };
  return { days, deleted };
}

/**
 * Keeps the real arguments of one decision (call after the decision is committed; only when its stored
 * arguments were redacted and a retention is set). Returns whether anything was kept.
 */
export async function keepReplayValues(decisionId: string, args: unknown, redacted: boolean, at = new Date()): Promise<boolean> {
  if (!redacted) return false;
  const days = await getReplayRetentionDays();
  if (days <= 0) return false;
  await getPool().query(
    `INSERT INTO replay_values (decision_id, created_at, expires_at, arguments_enc) VALUES ($1, $2, $3, $4) ON CONFLICT (decision_id) DO NOTHING`,
    [decisionId, at, new Date(at.getTime() + days * 86_400_000), encryptSecret(JSON.stringify(args ?? {}))],
  );
  return true;
}

/** The real arguments of these decisions that are still retained. */
export async function loadReplayValues(decisionIds: string[]): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!decisionIds.length) return out;
  const r = await getPool().query<Row<"replay_values", "decision_id" | "arguments_enc">>(
    `SELECT decision_id, arguments_enc FROM replay_values WHERE decision_id = ANY($1::uuid[]) AND expires_at > now()`,
    [decisionIds],
  );
  for (const row of r.rows) {
    try {
      out.set(row.decision_id, JSON.parse(decryptSecret(row.arguments_enc)) as Record<string, unknown>); // the arguments keepReplayValues wrote
    } catch {
      // undecryptable (another master key): treated as not retained
    }
  }
  return out;
}

export async function purgeExpiredReplayValues(): Promise<number> {
  const r = await getPool().query(`DELETE FROM replay_values WHERE expires_at <= now()`);
  return r.rowCount ?? 0;
}
