/**
 * How the data plane reads a signed-in console user from a request (`rt.consoleSessions`): a signed-in
 * console user may call the user endpoints of the data plane from the browser. next-auth's, so it lives
 * here and not in lib/ (framework-free); the composition root (lib/runtime/start.ts) is given it.
 */
import { getToken } from "next-auth/jwt";
import type { IncomingMessage } from "node:http";
import { consoleUserOfSession } from "../lib/auth/console-session.ts";
import type { UserPrincipal } from "../lib/identity/credential-cache.ts";

export async function consoleSessionOf(req: IncomingMessage): Promise<UserPrincipal | null> {
  if (!req.headers.cookie?.includes("next-auth.session-token")) return null;
  // next-auth reads the session cookie from `req.cookies` only (Next's request shape), which a plain
  // node:http request does not have: parse the Cookie header for it.
  const cookies: Record<string, string> = {};
  for (const part of req.headers.cookie.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    try {
      cookies[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed %-escape in some cookie: not a session cookie of ours
    }
  }
  const token = await getToken({ req: { headers: req.headers, cookies } as never, secret: process.env.NEXTAUTH_SECRET }).catch(() => null);
  // A live console session only: signed out (on any node), expired or disabled is no session.
  const u = token ? await consoleUserOfSession(token.sid, token.uid) : null;
  return u ? { kind: "user", userId: u.id, email: u.email, role: u.role } : null;
}
