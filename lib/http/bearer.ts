/** The token of an `Authorization: Bearer <token>` header: null without the header, "" when it is malformed. */
import type { IncomingMessage } from "node:http";

export function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : "";
}

/**
 * The credential of an `Authorization: Bearer <token>` or `Authorization: DPoP <token>` (RFC 9449) header:
 * null without the header; token "" when it is malformed or another scheme.
 */
export function presentedCredential(req: IncomingMessage): { scheme: "bearer" | "dpop"; token: string } | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^(Bearer|DPoP)\s+(\S+)\s*$/i.exec(h);
  if (!m) return { scheme: "bearer", token: "" };
  return { scheme: m[1].toLowerCase() === "dpop" ? "dpop" : "bearer", token: m[2] };
}
