/**
 * Framework-free parts of console sign-in: checking a password login and mapping OIDC claims to a
 * role. Single sign-on (explicit identity linking): sso.ts; sessions (checked on every request, ended
 * by sign-out): console-session.ts.
 */
import { getPool } from "../db/pool.ts";
import { findUserForLogin, verifyPassword } from "../identity/users.ts";
import type { Role } from "../identity/credential-cache.ts";

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
  name: string | null;
}

export async function checkPasswordLogin(email: string, password: string): Promise<ConsoleUser | null> {
  const u = await findUserForLogin(email);
  if (!u || !u.password_hash || u.disabled_at) return null;
  if (!(await verifyPassword(password, u.password_hash))) return null;
  await getPool().query("UPDATE users SET last_login_at = now() WHERE id = $1", [u.id]);
  return { id: u.id, email: u.email, role: u.role, name: null };
}

/**
 * OIDC_ROLE_MAP is "group=role,group=role" (e.g. "mandate-admins=admin,secops=analyst"); the claim
 * named by OIDC_ROLE_CLAIM (default "groups") may be a string or a list. The highest mapped role wins;
 * no mapping means no access.
 */
export function roleFromClaims(claims: Record<string, unknown>, claimName: string, mapSpec: string | undefined): Role | null {
  const map = new Map<string, Role>();
  for (const pair of (mapSpec ?? "").split(",")) {
    const [k, v] = pair.split("=").map((s) => s?.trim());
    if (k && (v === "admin" || v === "analyst" || v === "viewer")) map.set(k, v);
  }
  const raw = claims[claimName];
  const values = Array.isArray(raw) ? raw.map(String) : raw === undefined || raw === null ? [] : [String(raw)];
  const rank: Record<Role, number> = { viewer: 1, analyst: 2, admin: 3 };
  let best: Role | null = null;
  for (const v of values) {
    const r = map.get(v);
    if (r && (!best || rank[r] > rank[best])) best = r;
  }
  return best;
}
