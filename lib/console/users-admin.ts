/**
 * User administration for the console, over lib/identity/users.ts, with the guard rails an admin
 * console needs: you cannot disable or demote yourself, and the last active admin stays an admin.
 */
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import { db } from "../db/prisma.ts";
import type { Row } from "../db/rows.ts";
import type { Role } from "../identity/credential-cache.ts";
import { setUserDisabled, setUserRole } from "../identity/users.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { iso } from "./format.ts";

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  sso: boolean;
  disabledAt: string | null;
  createdAt: string;
  lastLoginAt: string | null;
  activeTokens: number;
}

type ListedUser = Row<"users", "id" | "email" | "name" | "role" | "disabled_at" | "created_at" | "last_login_at"> & { sso: boolean; tokens: number };

/** SQL: disabled accounts last, each group by email (an order Prisma's orderBy cannot state). */
export async function listUsers(): Promise<UserRow[]> {
  const r = await getPool().query<ListedUser>(
    `SELECT u.id, u.email, u.name, u.role, EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = u.id) AS sso, u.disabled_at, u.created_at, u.last_login_at,
            (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()))::int AS tokens
       FROM users u ORDER BY u.disabled_at IS NOT NULL, u.email LIMIT 1000`,
  );
  return r.rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    sso: u.sso,
    disabledAt: iso(u.disabled_at),
    createdAt: iso(u.created_at)!,
    lastLoginAt: iso(u.last_login_at),
    activeTokens: u.tokens,
  }));
}

async function otherActiveAdmins(userId: string): Promise<number> {
  return db().user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
}

export async function changeRole(rt: NodeContext, actorId: string, userId: string, role: Role, actor: string) {
  if (actorId === userId && role !== "admin") throw new MandateError(409, "self_demotion", "you cannot remove your own admin role; ask another admin");
  if (role !== "admin" && (await otherActiveAdmins(userId)) === 0)
    throw new MandateError(409, "last_admin", "this is the last active admin; make someone else admin first");
  return setUserRole(rt, userId, role, actor);
}

/** Disabling takes effect at once: console sessions re-read the user on every request, tokens via the credential cache. */
export async function changeDisabled(rt: NodeContext, actorId: string, userId: string, disabled: boolean, actor: string) {
  if (disabled && actorId === userId) throw new MandateError(409, "self_disable", "you cannot disable your own account");
  if (disabled && (await otherActiveAdmins(userId)) === 0) {
    const u = await db().user.findUnique({ where: { id: userId }, select: { role: true } });
    if (u?.role === "admin") throw new MandateError(409, "last_admin", "this is the last active admin; make someone else admin first");
  }
  return setUserDisabled(rt, userId, disabled, actor);
}
