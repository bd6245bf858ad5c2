/** The token of an `Authorization: Bearer <token>` header: null without the header, "" when it is malformed. */
import type { IncomingMessage } from "node:http";

export function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : "";
}
