/**
 * Throttling of console password sign-ins, counted in PostgreSQL (`login_attempts`) so that every node
 * counts the same attempts. Two counters: per account (the email as typed, lowercased — known or not,
 * so that throttling does not tell which accounts exist) and per source address (lib/auth/client-address).
 *
 * An attempt is recorded BEFORE its password is checked, under a per-key advisory lock, and counted as
 * a failure until it succeeds: concurrent attempts cannot slip past the limit. When either key has
 * `limit` attempts within the window, the attempt is refused without checking the password, until the
 * oldest of those attempts leaves the window (the cooldown: at most the window). A refused attempt is
 * not recorded. A successful sign-in removes the account's attempts and its own source attempt.
 */
import type pg from "pg";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { env } from "../env.ts";
import { sourceKey } from "./client-address.ts";

export interface ThrottleLimits {
  account: number;
  source: number;
  windowS: number;
}

export function throttleLimits(): ThrottleLimits {
  const e = env();
  return { account: e.MANDATE_LOGIN_MAX_FAILURES, source: e.MANDATE_LOGIN_MAX_SOURCE_FAILURES, windowS: e.MANDATE_LOGIN_WINDOW_S };
}

export type Reservation = { ok: true; ids: string[]; accountKey: string } | { ok: false; scope: "account" | "source"; retryAfterS: number };

export const accountKey = (email: string) => `account:${email}`;

async function inTransaction<T>(run: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await getPool().connect();
  try {
    await c.query("BEGIN");
    const out = await run(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Records an attempt for `email` from `source`, or refuses it while either counter is at its limit. */
export async function reserveAttempt(email: string, source: string, limits: ThrottleLimits = throttleLimits()): Promise<Reservation> {
  const keys = [accountKey(email), `source:${sourceKey(source)}`];
  const caps = [limits.account, limits.source];
  return inTransaction(async (c) => {
    // Serialise attempts per key (in a fixed order, so two keys never deadlock); hash collisions only
    // serialise a little more.
    await c.query("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k", [keys]);
    const r = await c.query<{ ord: number; retry_after: number | null }>(
      `SELECT k.ord, ceil(extract(epoch FROM (
                (SELECT a.at FROM login_attempts a
                  WHERE a.key = k.key AND a.at > now() - make_interval(secs => $3)
                  ORDER BY a.at DESC OFFSET k.cap - 1 LIMIT 1)
                + make_interval(secs => $3) - now())))::int AS retry_after
         FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS k(key, cap, ord)`,
      [keys, caps, limits.windowS],
    );
    const locked = r.rows.filter((x): x is { ord: number; retry_after: number } => x.retry_after !== null).sort((x, y) => y.retry_after - x.retry_after)[0];
    if (locked) return { ok: false, scope: Number(locked.ord) === 1 ? "account" : "source", retryAfterS: Math.max(1, locked.retry_after) };
    const ins = await c.query<Row<"login_attempts", "id">>("INSERT INTO login_attempts (key) SELECT unnest($1::text[]) RETURNING id", [keys]);
    // Attempts that left the window count for nothing any more (index on at: cheap).
    await c.query("DELETE FROM login_attempts WHERE at < now() - make_interval(secs => $1)", [limits.windowS]);
    return { ok: true, ids: ins.rows.map((x) => String(x.id)), accountKey: keys[0] };
  });
}

/** A successful sign-in: the account starts from zero, and this attempt was no failure of its source. */
export async function attemptSucceeded(res: Extract<Reservation, { ok: true }>): Promise<void> {
  await getPool().query("DELETE FROM login_attempts WHERE key = $1 OR id = ANY($2::bigint[])", [res.accountKey, res.ids]);
}
