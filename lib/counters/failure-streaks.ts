/**
 * Consecutive failed outcomes per session (issue 15 §3): `context.counters.session.consecutiveFailures`,
 * the number of outcome events with status `error` reported in a row for the session's calls, reset to 0
 * by a `success`. Kept in `session_failure_streaks` (a table of its own: the decision commit only reads
 * it, so outcome ingestion and decisions never wait on each other's locks).
 *
 * The outcome ingestion (lib/decisions/record-events.ts) applies the events it has just recorded, in the
 * order it received them, one statement per session (a single row lock each: no deadlock between
 * ingestions). A decision whose policy reads the counter sends the count it saw with its session write, and
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
 * then stale). One statement per session, all at once.
 */
export async function recordStreaks(changes: Map<string, StreakChange>): Promise<string[]> {
  const pool = getPool();
  const changed = await Promise.all(
    [...changes].map(async ([sessionId, c]) => {
      if (!c.reset && c.tail === 0) return null;
      const r = await pool.query(
        `INSERT INTO session_failure_streaks AS f (session_id, failures, updated_at) VALUES ($1, $3::int, now())
         ON CONFLICT (session_id) DO UPDATE
            SET failures = CASE WHEN $2::boolean THEN $3::int ELSE f.failures + $3::int END, updated_at = now()
          WHERE f.failures IS DISTINCT FROM (CASE WHEN $2::boolean THEN $3::int ELSE f.failures + $3::int END)
         RETURNING session_id`,
        [sessionId, c.reset, c.tail],
      );
      return r.rowCount ? sessionId : null;
    }),
  );
  return changed.filter((s): s is string => s !== null);
}
