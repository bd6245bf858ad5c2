import { db } from "../db/prisma.ts";
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
  const tokens = await db().apiToken.findMany({
    where: { userId },
    select: { keyId: true, name: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const now = Date.now();
  return tokens.map((t) => ({
    keyId: t.keyId,
    name: t.name,
    createdAt: iso(t.createdAt)!,
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    status: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt.getTime() <= now ? "expired" : "active",
  }));
}
