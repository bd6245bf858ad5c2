/**
 * Users (console logins and initiators of sessions) and their personal API tokens.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { MandateError, notFound } from "../errors.ts";
import { db } from "../db/prisma.ts";
import type { Row } from "../db/rows.ts";
import { newCredential, newPassword } from "../crypto/keys.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { hashPassword } from "./password-hashing.ts";
import { keyExpiry } from "./key-lifetime.ts";
import type { Role } from "./credential-cache.ts";
import { TOKEN_CREATE_ENTRY, TOKEN_REVOKE_ENTRY, USER_CREATE_ENTRY, USER_DISABLE_ENTRY, USER_ROLE_ENTRY } from "../audit/entries/index.ts";

export const roleSchema = z.enum(["admin", "analyst", "viewer"]);
export const newUserSchema = z
  .object({
    email: z
      .string()
      .email()
      .max(320)
      .transform((e) => e.toLowerCase()),
    role: roleSchema,
    name: z.string().max(200).optional(),
    password: z.string().min(12).max(200).optional(),
  })
  .strict();

// bcrypt on a worker thread (lib/identity/password-hashing.ts): never on the event loop.
export { hashPassword } from "./password-hashing.ts";

export async function createUser(rt: NodeContext, input: z.input<typeof newUserSchema>, actor: string) {
  const u = newUserSchema.parse(input);
  const password = u.password ?? newPassword();
  const passwordHash = await hashPassword(password);
  const id = randomUUID();
  await adminAction(rt, async (_tx, orm) => {
    await orm(async (db) => {
      if (await db.user.findUnique({ where: { email: u.email }, select: { id: true } })) {
        throw new MandateError(409, "conflict", `a user with email ${u.email} already exists`);
      }
      await db.user.create({ data: { id, email: u.email, name: u.name ?? null, role: u.role, passwordHash }, select: { id: true } });
    });
    return { result: null, audit: USER_CREATE_ENTRY.entry({ action: "user.create", actor, data: { user_id: id, email: u.email, role: u.role } }) };
  });
  return { id, email: u.email, role: u.role, password };
}

export async function setUserRole(rt: NodeContext, userId: string, role: Role, actor: string) {
  return adminAction(rt, async (tx, orm) => {
    // Locked, so that the audited "before" is the role this change replaced.
    const before = await tx.query<Row<"users", "role">>("SELECT role FROM users WHERE id = $1 FOR UPDATE", [userId]);
    if (!before.rowCount) throw notFound("user");
    const { email } = await orm((db) => db.user.update({ where: { id: userId }, data: { role }, select: { email: true } }));
    const data = { user_id: userId, email, role, before: before.rows[0].role, after: role };
    return { result: null, audit: USER_ROLE_ENTRY.entry({ action: "user.role", actor, data }) };
  });
}

export async function setUserDisabled(rt: NodeContext, userId: string, disabled: boolean, actor: string) {
  await adminAction(rt, async (_tx, orm) => {
    const [u] = await orm((db) =>
      db.user.updateManyAndReturn({ where: { id: userId }, data: { disabledAt: disabled ? new Date() : null }, select: { email: true } }),
    );
    if (!u) throw notFound("user");
    return {
      result: null,
      audit: USER_DISABLE_ENTRY.entry({ action: disabled ? "user.disable" : "user.enable", actor, data: { user_id: userId, email: u.email } }),
    };
  });
  await rt.applyChange("users", userId);
  return null;
}

/** `expiresInDays` undefined: the default lifetime; beyond the maximum: 400 (lib/identity/key-lifetime.ts). */
export async function createApiToken(rt: NodeContext, userId: string, name: string, actor: string, expiresInDays?: number) {
  const expiresAt = keyExpiry("personal_token", expiresInDays);
  const cred = newCredential("personal_token");
  const id = randomUUID();
  await adminAction(rt, async (_tx, orm) => {
    const u = await orm(async (db) => {
      const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
      if (!user) throw notFound("user");
      await db.apiToken.create({ data: { id, userId, name, keyId: cred.keyId, tokenHash: cred.hash, expiresAt }, select: { id: true } });
      return user;
    });
    return {
      result: null,
      audit: TOKEN_CREATE_ENTRY.entry({ action: "token.create", actor, data: { token_id: id, key_id: cred.keyId, user: u.email, name } }),
    };
  });
  return { id, keyId: cred.keyId, secret: cred.secret, expiresAt };
}

export async function revokeApiToken(rt: NodeContext, keyId: string, actor: string, ownerId?: string) {
  return adminAction(rt, async (_tx, orm) => {
    const r = await orm((db) =>
      db.apiToken.updateMany({ where: { keyId, revokedAt: null, ...(ownerId ? { userId: ownerId } : {}) }, data: { revokedAt: new Date() } }),
    );
    if (!r.count) throw notFound(`active token ${keyId}`);
    return { result: null, audit: TOKEN_REVOKE_ENTRY.entry({ action: "token.revoke", actor, data: { key_id: keyId } }) };
  });
}

/** The account a password sign-in checks, with its password hash (omitted everywhere else). */
export async function findUserForLogin(email: string) {
  return db().user.findUnique({
    where: { email: email.toLowerCase() },
    select: { id: true, email: true, role: true, passwordHash: true, disabledAt: true },
  });
}

/** A user's id by email (the CLI names users by email). */
export async function userIdByEmail(email: string): Promise<string | null> {
  const u = await db().user.findUnique({ where: { email: email.toLowerCase() }, select: { id: true } });
  return u?.id ?? null;
}
