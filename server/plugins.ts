/**
 * Parts of the runtime that other modules provide (console sessions on data-plane routes, delegation
 * verification, receipts, approval webhooks), installed once at start-up.
 */
import { getToken } from "next-auth/jwt";
import type { IncomingMessage } from "node:http";
import { currentUserById } from "../lib/auth/console-user.ts";
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
      if (i > 0) cookies[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    }
    const token = await getToken({ req: { headers: req.headers, cookies } as never, secret: process.env.NEXTAUTH_SECRET }).catch(() => null);
    const uid = token?.uid as string | undefined;
    if (!uid) return null;
    const u = await currentUserById(uid);
    return u ? { kind: "user", userId: u.id, email: u.email, role: u.role } : null;
  });
}
