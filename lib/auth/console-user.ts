/**
 * Framework-free parts of console sign-in: the signed-in user's shape and the mapping of OIDC claims
 * to a role. Password sign-in: password-sign-in.ts (throttle.ts); single sign-on: sso.ts; sessions
 * (checked on every request): console-session.ts.
 */
import type { Role } from "../identity/credential-cache.ts";

export interface ConsoleUser {
  id: string;
  email: string;
  role: Role;
  name: string | null;
  /** The zone the console shows times in (users.display_time_zone): absent or null = UTC. */
  timeZone?: string | null;
  /** The approvals page's layout (users.approvals_view): absent = cards. */
  approvalsView?: "cards" | "table";
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
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a claim of another shape becomes text that matches no mapping
  const values = Array.isArray(raw) ? raw.map(String) : raw === undefined || raw === null ? [] : [String(raw)];
  const rank: Record<Role, number> = { viewer: 1, analyst: 2, admin: 3 };
  let best: Role | null = null;
  for (const v of values) {
    const r = map.get(v);
    if (r && (!best || rank[r] > rank[best])) best = r;
  }
  return best;
}
