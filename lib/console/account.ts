import { getPool } from "../db/pool.ts";
import { iso } from "./format.ts";

export interface TokenRow {
  keyId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  status: "active" | "revoked" | "expired";
}


/** The signed-in user's personal API tokens (never their hashes). */
export async function listTokens(userId: string): Promise<TokenRow[]> {
  const r = await getPool().query(
    `SELECT key_id, name, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200`,
    [userId],
  );
  const now = Date.now();
  return r.rows.map((t) => ({
    keyId: t.key_id,
    name: t.name,
    createdAt: iso(t.created_at)!,
    expiresAt: iso(t.expires_at),
    lastUsedAt: iso(t.last_used_at),
    status: t.revoked_at ? "revoked" : t.expires_at && new Date(t.expires_at).getTime() <= now ? "expired" : "active",
  }));
}
