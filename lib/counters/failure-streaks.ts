/**
 * Consecutive failed outcomes per session (issue 15 §3): `context.counters.session.consecutiveFailures`,
 * the number of outcome events with status `error` reported in a row for the session's calls, reset to 0
 * by a `success`. Kept in `session_failure_streaks` (a table of its own: the decision commit only reads
 * it, so outcome ingestion and decisions never wait on each other's locks).
 *
 * The outcome ingestion (lib/decisions/record-events.ts) applies the events it has just recorded, in the
 * order it received them, in at most three statements per batch that lock rows in session-id order (no
 * deadlock between ingestions). A decision whose policy reads the counter sends the count it saw with its session write, and
 * `mandate_commit` refuses it as a conflict if the stored count differs (the decision is re-read and
 * re-decided): exact once an outcome's ingestion has answered, on every node.
 */
import { getPool } from "../db/pool.ts";

/** What a batch of outcomes does to one session's streak: `reset` (a success among them) then `tail` failures. */
export interface StreakChange {
  reset: boolean;
  /** Failures after the last success (all of them without one). */
  tail: number;
}

/** Per session, in the order received: the change the outcomes make to its streak. */
export function streakChanges(outcomes: Iterable<{ sessionId: string; status: "success" | "error" }>): Map<string, StreakChange> {
  const out = new Map<string, StreakChange>();
  for (const o of outcomes) {
    let c = out.get(o.sessionId);
    if (!c) out.set(o.sessionId, (c = { reset: false, tail: 0 }));
    if (o.status === "success") {
      c.reset = true;
      c.tail = 0;
    } else c.tail++;
  }
  return out;
}

/** The streak after a change. */
export function applyStreak(before: number, c: StreakChange): number {
  return c.reset ? c.tail : before + c.tail;
}

/**
 * Applies the changes in PostgreSQL; returns the sessions whose streak changed (their cached state is
 * then stale). At most three statements for the whole batch, whatever its number of sessions — not one per
 * session: a batch of 1,000 outcomes over hundreds of sessions used to cost as many commits, and most of
 * them inserted a 0 row for a session that had only succeeded. Each statement locks its rows in
 * session-id order, so concurrent ingestions cannot deadlock:
 * - failures with no success in the batch add to the streak (a row appears with the first failure);
 * - a success then `tail` failures set it to `tail` (> 0);
 * - a success alone resets an existing non-zero streak to 0 (no row means 0: nothing is written).
 */
export async function recordStreaks(changes: Map<string, StreakChange>): Promise<string[]> {
  const add: Array<[string, number]> = [];
  const set: Array<[string, number]> = [];
  const clear: string[] = [];
  for (const [sessionId, c] of changes) {
    if (!c.reset) {
      if (c.tail > 0) add.push([sessionId, c.tail]);
    } else if (c.tail > 0) set.push([sessionId, c.tail]);
    else clear.push(sessionId);
  }
  const pool = getPool();
  const upsert = (rows: Array<[string, number]>, failures: string) =>
    pool.query<{ session_id: string }>(
      `INSERT INTO session_failure_streaks AS f (session_id, failures, updated_at)
       SELECT s, t, now() FROM unnest($1::text[], $2::int[]) AS c(s, t) ORDER BY s
       ON CONFLICT (session_id) DO UPDATE SET failures = ${failures}, updated_at = now()
        WHERE f.failures IS DISTINCT FROM ${failures}
       RETURNING session_id`,
      [rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
  const results = await Promise.all([
    add.length ? upsert(add, "f.failures + excluded.failures") : null,
    set.length ? upsert(set, "excluded.failures") : null,
    clear.length
      ? pool.query<{ session_id: string }>(
          `WITH l AS (SELECT session_id FROM session_failure_streaks WHERE session_id = ANY($1::text[]) AND failures <> 0
                       ORDER BY session_id FOR UPDATE)
           UPDATE session_failure_streaks f SET failures = 0, updated_at = now() FROM l WHERE f.session_id = l.session_id
           RETURNING f.session_id`,
          [clear],
        )
      : null,
  ]);
  return results.flatMap((r) => (r ? r.rows.map((x) => x.session_id) : []));
}
