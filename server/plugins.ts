/**
 * Parts of the runtime that other modules provide (console sessions on data-plane routes, delegation
 * verification, receipts, approval webhooks), installed once at start-up.
 */
import { getToken } from "next-auth/jwt";
import type { IncomingMessage } from "node:http";
import { consoleUserOfSession } from "../lib/auth/console-session.ts";
import { setConsoleSessionResolver } from "../lib/http/route.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import { installDelegation } from "../lib/delegation/service.ts";
import { installApprovals } from "../lib/approvals/service.ts";

export async function installPlugins(rt: Runtime): Promise<void> {
  // Delegation tokens (verification on the decision path), receipts, JWKS (lib/delegation).
  await installDelegation(rt);
  // Approval long-polls, expiry, webhooks (lib/approvals).
  installApprovals(rt);

  // A signed-in console user may call the user endpoints of the data plane from the browser.
  setConsoleSessionResolver(async (req: IncomingMessage) => {
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
  });
}
