/**
 * Console sessions: each sign-in gets a row in `console_sessions`, and the next-auth JWT carries its id
 * (`sid`). Every request — pages, server actions, console route handlers, and data-plane routes called
 * with the cookie (server/console-session.ts) — reads the session with its user in ONE indexed query (primary
 * keys of console_sessions and users; it replaces the users lookup that was already made per request),
 * so signing out ends the session on every node at once, and a disabled user or a role change applies
 * at the next request as before. A session lasts CONSOLE_SESSION_MAX_AGE_S from sign-in.
 */
import { randomUUID } from "node:crypto";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import type { ConsoleUser } from "./console-user.ts";
import { AUTH_SIGNIN_ENTRY, AUTH_SIGNOUT_ENTRY } from "../audit/entries/index.ts";

export const CONSOLE_SESSION_MAX_AGE_S = 12 * 60 * 60;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Starts a session for a user who has just signed in, with its audit entry (auth.signin). */
export async function startConsoleSession(rt: NodeContext, userId: string, provider: "credentials" | "oidc", source: string): Promise<string> {
  const sid = randomUUID();
  return adminAction(rt, async (tx) => {
    const u = await tx.query<Row<"users", "email">>(
      `INSERT INTO console_sessions (id, user_id, provider, source, created_at, expires_at)
       VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5))
       RETURNING (SELECT email FROM users WHERE id = $2) AS email`,
      [sid, userId, provider, source, CONSOLE_SESSION_MAX_AGE_S],
    );
    // Sessions over a day past their end are of no use any more.
    await tx.query("DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day'");
    const email = u.rows[0].email;
    return {
      result: sid,
      audit: AUTH_SIGNIN_ENTRY.entry({ actor: `user:${email}`, outcome: "allow", data: { user_id: userId, email, provider, source, session_id: sid } }),
    };
  });
}

/** Ends a session (sign-out); audited once. Unknown or already ended: nothing happens. */
export async function endConsoleSession(rt: NodeContext, sid: string, reason: "signout"): Promise<boolean> {
  if (!UUID.test(sid)) return false;
  return adminAction(rt, async (tx) => {
    const r = await tx.query<Row<"console_sessions", "user_id" | "provider"> & Row<"users", "email">>(
      `UPDATE console_sessions s SET ended_at = now(), ended_reason = $2
         FROM users u WHERE s.id = $1 AND s.ended_at IS NULL AND u.id = s.user_id
       RETURNING s.user_id, u.email, s.provider`,
      [sid, reason],
    );
    if (!r.rowCount) return { result: false, audit: [] };
    const { user_id, email } = r.rows[0];
    const provider = r.rows[0].provider as "credentials" | "oidc";
    return { result: true, audit: AUTH_SIGNOUT_ENTRY.entry({ actor: `user:${email}`, data: { user_id, email, provider, session_id: sid, reason } }) };
  });
}

/** The signed-in user of a live session, as stored now; null when ended, expired, disabled or unknown. */
export async function consoleUserOfSession(sid: unknown, uid: unknown): Promise<ConsoleUser | null> {
  if (typeof sid !== "string" || typeof uid !== "string" || !UUID.test(sid) || !UUID.test(uid)) return null;
  const r = await getPool().query<Row<"users", "id" | "email" | "role" | "name" | "display_time_zone" | "approvals_view">>(
    `SELECT u.id, u.email, u.role, u.name, u.display_time_zone, u.approvals_view
       FROM console_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.user_id = $2 AND s.ended_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [sid, uid],
  );
  const u = r.rows[0];
  return u
    ? { id: u.id, email: u.email, role: u.role, name: u.name, timeZone: u.display_time_zone, approvalsView: u.approvals_view === "table" ? "table" : "cards" }
    : null;
}
