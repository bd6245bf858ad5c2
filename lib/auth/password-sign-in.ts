/**
 * A console sign-in with email and password: throttled (lib/auth/throttle.ts), checked off the event
 * loop (lib/identity/password-hashing.ts), at the same cost whether or not the account exists, and
 * audited — failures with their reason (never the password), throttled refusals, successes (with the
 * console session they start, lib/auth/console-session.ts).
 */
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { db } from "../db/prisma.ts";
import { DUMMY_HASH, verifyPassword } from "../identity/password-hashing.ts";
import { findUserForLogin } from "../identity/users.ts";
import type { ConsoleUser } from "./console-user.ts";
import { attemptSucceeded, reserveAttempt, throttleLimits, type ThrottleLimits } from "./throttle.ts";
import { AUTH_SIGNIN_FAILED_ENTRY, AUTH_SIGNIN_THROTTLED_ENTRY } from "../audit/entries/index.ts";

export type PasswordSignIn = { ok: true; user: ConsoleUser } | { ok: false; reason: "throttled"; retryAfterS: number } | { ok: false; reason: "invalid" };

export type FailureReason = "wrong_password" | "unknown_account" | "no_password" | "disabled" | "malformed" | "check_failed";

const MAX_EMAIL = 320;
const MAX_PASSWORD = 1024;

export async function auditSignInFailure(
  rt: NodeContext,
  email: string,
  source: string,
  reason: FailureReason,
  extra: { user_id?: string } = {},
): Promise<void> {
  await adminAction(rt, async () => ({
    result: null,
    audit: AUTH_SIGNIN_FAILED_ENTRY.entry({ actor: "anonymous", outcome: "deny", data: { email, source, provider: "credentials", reason, ...extra } }),
  }));
}

/**
 * Throttled refusals are audited at most once a minute per account and per source on each node, with
 * the number refused since the last entry: a flood of refused attempts (each one cheap for the sender)
 * must not fill the audit log. The counters in login_attempts are exact either way.
 */
const throttledLogged = new Map<string, { at: number; refused: number }>();

async function auditThrottled(rt: NodeContext, email: string, source: string, scope: "account" | "source", retryAfterS: number): Promise<void> {
  const key = `${scope}:${scope === "account" ? email : source}`;
  const now = Date.now();
  const seen = throttledLogged.get(key);
  if (seen && now - seen.at < 60_000) {
    seen.refused++;
    return;
  }
  if (throttledLogged.size > 10_000) throttledLogged.clear();
  throttledLogged.set(key, { at: now, refused: 0 });
  const data = { email, source, scope, retry_after_s: retryAfterS, refused_since_last_entry: seen?.refused ?? 0 };
  await adminAction(rt, async () => ({ result: null, audit: AUTH_SIGNIN_THROTTLED_ENTRY.entry({ actor: "anonymous", outcome: "deny", data }) }));
}

export async function passwordSignIn(
  rt: NodeContext,
  emailInput: string,
  password: string,
  source: string,
  limits: ThrottleLimits = throttleLimits(),
): Promise<PasswordSignIn> {
  const malformed = !emailInput || emailInput.length > MAX_EMAIL || !password || password.length > MAX_PASSWORD;
  const email = emailInput.slice(0, MAX_EMAIL).toLowerCase();
  const reservation = await reserveAttempt(email, source, limits);
  if (!reservation.ok) {
    await auditThrottled(rt, email, source, reservation.scope, reservation.retryAfterS);
    return { ok: false, reason: "throttled", retryAfterS: reservation.retryAfterS };
  }
  if (malformed) {
    // No account can match (an empty field, or longer than any stored value): no check to run. It
    // still counted as a failed attempt above.
    await auditSignInFailure(rt, email, source, "malformed");
    return { ok: false, reason: "invalid" };
  }
  const u = await findUserForLogin(email);
  // Always one bcrypt check of the same cost: the account's hash, or the dummy when there is none.
  const hash = u?.passwordHash ?? DUMMY_HASH;
  const match = await verifyPassword(password, hash).then(
    (m) => m,
    () => null, // a malformed stored hash, or the worker died: refused
  );
  const reason: FailureReason | null = !u
    ? "unknown_account"
    : !u.passwordHash
      ? "no_password"
      : match === null
        ? "check_failed"
        : !match
          ? "wrong_password"
          : u.disabledAt
            ? "disabled"
            : null;
  if (reason) {
    await auditSignInFailure(rt, email, source, reason, u ? { user_id: u.id } : {});
    return { ok: false, reason: "invalid" };
  }
  await attemptSucceeded(reservation);
  await db().user.update({ where: { id: u!.id }, data: { lastLoginAt: new Date() }, select: { id: true } });
  return { ok: true, user: { id: u!.id, email: u!.email, role: u!.role, name: null } };
}
