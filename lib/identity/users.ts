/**
 * Users (console logins and initiators of sessions) and their personal API tokens.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { getPool } from "../db/pool.ts";
import { MandateError, notFound } from "../http/errors.ts";
import { newCredential, newPassword } from "../crypto/keys.ts";
import { applyLocalChange } from "../runtime/runtime.ts";
import { hashPassword } from "./password-hashing.ts";
import type { Role } from "./credential-cache.ts";

export const roleSchema = z.enum(["admin", "analyst", "viewer"]);
export const newUserSchema = z
  .object({
    email: z.string().email().max(320).transform((e) => e.toLowerCase()),
    role: roleSchema,
    name: z.string().max(200).optional(),
    password: z.string().min(12).max(200).optional(),
  })
  .strict();

// bcrypt on a worker thread (lib/identity/password-hashing.ts): never on the event loop.
export { hashPassword } from "./password-hashing.ts";

export async function createUser(input: z.input<typeof newUserSchema>, actor: string) {
  const u = newUserSchema.parse(input);
  const password = u.password ?? newPassword();
  const passwordHash = await hashPassword(password);
  const id = randomUUID();
  await adminAction(async (tx) => {
    const exists = await tx.query("SELECT 1 FROM users WHERE email = $1", [u.email]);
    if (exists.rowCount) throw new MandateError(409, "conflict", `a user with email ${u.email} already exists`);
    await tx.query(
      "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, now())",
      [id, u.email, u.name ?? null, u.role, passwordHash],
    );
    return { result: null, audit: { action: "user.create", actor, data: { user_id: id, email: u.email, role: u.role } } };
  });
  return { id, email: u.email, role: u.role, password };
}

export async function setUserRole(userId: string, role: Role, actor: string) {
  return adminAction(async (tx) => {
    const before = await tx.query("SELECT role FROM users WHERE id = $1 FOR UPDATE", [userId]);
    const r = await tx.query("UPDATE users SET role = $2 WHERE id = $1 RETURNING email", [userId, role]);
    if (!r.rowCount) throw notFound("user");
    const data = { user_id: userId, email: r.rows[0].email, role, before: before.rows[0].role, after: role };
    return { result: null, audit: { action: "user.role", actor, data } };
  });
}

export async function setUserDisabled(userId: string, disabled: boolean, actor: string) {
  await adminAction(async (tx) => {
    const r = await tx.query(
      "UPDATE users SET disabled_at = CASE WHEN $2 THEN now() ELSE NULL END WHERE id = $1 RETURNING email",
      [userId, disabled],
    );
    if (!r.rowCount) throw notFound("user");
    return { result: null, audit: { action: disabled ? "user.disable" : "user.enable", actor, data: { user_id: userId, email: r.rows[0].email } } };
  });
  await applyLocalChange("users", userId);
  return null;
}

export async function createApiToken(userId: string, name: string, actor: string, expiresInDays: number | null = 90) {
  const cred = newCredential("personal_token");
  const id = randomUUID();
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  await adminAction(async (tx) => {
    const u = await tx.query("SELECT email FROM users WHERE id = $1", [userId]);
    if (!u.rowCount) throw notFound("user");
    await tx.query(
      "INSERT INTO api_tokens (id, user_id, name, key_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, now(), $6)",
      [id, userId, name, cred.keyId, cred.hash, expiresAt],
    );
    return { result: null, audit: { action: "token.create", actor, data: { token_id: id, key_id: cred.keyId, user: u.rows[0].email, name } } };
  });
  return { id, keyId: cred.keyId, secret: cred.secret, expiresAt };
}

export async function revokeApiToken(keyId: string, actor: string, ownerId?: string) {
  return adminAction(async (tx) => {
    const r = await tx.query(
      "UPDATE api_tokens SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2) RETURNING id",
      [keyId, ownerId ?? null],
    );
    if (!r.rowCount) throw notFound(`active token ${keyId}`);
    return { result: null, audit: { action: "token.revoke", actor, data: { key_id: keyId } } };
  });
}

export async function findUserForLogin(email: string) {
  const r = await getPool().query(
    "SELECT id, email, role, password_hash, disabled_at FROM users WHERE email = $1",
    [email.toLowerCase()],
  );
  return r.rows[0] as { id: string; email: string; role: Role; password_hash: string | null; disabled_at: Date | null } | undefined;
}
