/**
 * Single sign-on (OIDC): which Mandate account a provider login reaches. Identity linking is explicit:
 *
 * 1. An existing link (issuer, subject) → user: that account, whatever the email says now.
 * 2. No link, and an account has the login's email: linked only when the provider says the email is
 *    verified (`email_verified: true`) and the account has no link from this provider yet (another
 *    subject of the same provider owns it — for example an account that an unverified login created
 *    earlier). Otherwise refused (AccountNotLinked) and nothing changes.
 * 3. No link and no account with that email: a new account, linked to this identity (also for an
 *    unverified email: no one else's account is reached).
 *
 * The role is the one mapped from the provider's groups at every sign-in (no mapping: refused); a
 * change is audited with before and after. Links made, accounts created, role changes and refusals
 * are audited in the same transaction as the change (the node's admin chain).
 */
import { z } from "zod";
import type pg from "pg";
import { randomUUID } from "node:crypto";
import { adminAction, type AdminAudit } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import type { Role } from "../identity/credential-cache.ts";
import type { ConsoleUser } from "./console-user.ts";
import { AUTH_SIGNIN_FAILED_ENTRY, AUTH_SSO_LINK_ENTRY, USER_CREATE_ENTRY, USER_ROLE_ENTRY, type SsoRefusal } from "../audit/entries/index.ts";
import type { Row } from "../db/rows.ts";

export interface SsoLogin {
  issuer: string;
  subject: string;
  email: string | null;
  /** true only when the provider's claim is the boolean true */
  emailVerified: boolean;
  name: string | null;
  /** mapped from the provider's groups (roleFromClaims); null: no mapping */
  role: Role | null;
  source: string;
}

export type SsoError = "NoRole" | "Disabled" | "AccountNotLinked" | "NoEmail";
export type SsoResult = { ok: true; user: ConsoleUser } | { ok: false; error: SsoError };

const emailSchema = z.string().email().max(320);

type UserRow = Row<"users", "id" | "email" | "name" | "disabled_at"> & { role: Role };

const USER_COLUMNS = "id, email, name, role, disabled_at";

export async function ssoSignIn(rt: NodeContext, l: SsoLogin): Promise<SsoResult> {
  const actor = `sso:${l.issuer}`;
  const ident = { provider: "oidc" as const, issuer: l.issuer, subject: l.subject, email_verified: l.emailVerified, source: l.source };
  return adminAction<SsoResult>(rt, async (tx) => {
    const audit: AdminAudit[] = [];
    const refuse = (error: SsoError, reason: SsoRefusal, email: string | null, userId?: string) => ({
      result: { ok: false, error } as SsoResult,
      audit: [
        AUTH_SIGNIN_FAILED_ENTRY.entry({ actor: "anonymous", outcome: "deny", data: { ...ident, email, reason, ...(userId ? { user_id: userId } : {}) } }),
      ],
    });
    if (!l.issuer || !l.subject) return refuse("AccountNotLinked", "no_issuer_or_subject", l.email);

    let user: UserRow | null = null;
    const link = await tx.query<Row<"user_identities", "issuer" | "user_id">>(
      "SELECT issuer, user_id FROM user_identities WHERE subject = $2 AND issuer IN ($1, '') ORDER BY issuer DESC LIMIT 1 FOR UPDATE",
      [l.issuer, l.subject],
    );
    if (link.rowCount) {
      user = (await lockUser(tx, "id", link.rows[0].user_id))!;
      if (!l.role) return refuse("NoRole", "no_role", user.email, user.id);
      if (user.disabled_at) return refuse("Disabled", "disabled", user.email, user.id);
      if (link.rows[0].issuer === "") {
        // A subject kept from before links recorded their issuer: the configured provider adopts it.
        await tx.query("UPDATE user_identities SET issuer = $1 WHERE issuer = '' AND subject = $2", [l.issuer, l.subject]);
        audit.push(AUTH_SSO_LINK_ENTRY.entry({ actor, data: { ...ident, user_id: user.id, email: user.email, via: "legacy_subject" } }));
      }
    } else {
      const parsed = emailSchema.safeParse(l.email);
      if (!parsed.success) return refuse("NoEmail", "no_usable_email", l.email);
      const email = parsed.data.toLowerCase();
      user = await lockUser(tx, "email", email);
      if (!l.role) return refuse("NoRole", "no_role", email, user?.id);
      if (user) {
        if (!l.emailVerified) return refuse("AccountNotLinked", "email_not_verified", email, user.id);
        const other = await tx.query("SELECT 1 FROM user_identities WHERE user_id = $1 AND issuer IN ($2, '') LIMIT 1", [user.id, l.issuer]);
        if (other.rowCount) return refuse("AccountNotLinked", "account_linked_to_another_identity", email, user.id);
        if (user.disabled_at) return refuse("Disabled", "disabled", email, user.id);
        audit.push(AUTH_SSO_LINK_ENTRY.entry({ actor, data: { ...ident, user_id: user.id, email, via: "verified_email" } }));
      } else {
        const id = randomUUID();
        const created = await tx.query<UserRow>(
          `INSERT INTO users (id, email, name, role, created_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${USER_COLUMNS}`,
          [id, email, l.name, l.role],
        );
        user = created.rows[0];
        audit.push(USER_CREATE_ENTRY.entry({ action: "user.create", actor, data: { user_id: id, email, role: l.role, source: "oidc" } }));
        audit.push(AUTH_SSO_LINK_ENTRY.entry({ action: "auth.sso_link", actor, data: { ...ident, user_id: id, email, via: "new_account" } }));
      }
      await tx.query("INSERT INTO user_identities (issuer, subject, user_id, email, email_verified, created_at) VALUES ($1, $2, $3, $4, $5, now())", [
        l.issuer,
        l.subject,
        user.id,
        email,
        l.emailVerified,
      ]);
    }

    const u = user;
    if (u.role !== l.role) {
      await tx.query("UPDATE users SET role = $2 WHERE id = $1", [u.id, l.role]);
      audit.push(
        USER_ROLE_ENTRY.entry({
          actor,
          data: { user_id: u.id, email: u.email, role: l.role, before: u.role, after: l.role, source: "oidc_groups", issuer: l.issuer, subject: l.subject },
        }),
      );
    }
    await tx.query("UPDATE users SET last_login_at = now() WHERE id = $1", [u.id]);
    await tx.query("UPDATE user_identities SET last_login_at = now() WHERE issuer = $1 AND subject = $2", [l.issuer, l.subject]);
    return { result: { ok: true, user: { id: u.id, email: u.email, role: l.role, name: u.name } }, audit };
  });
}

async function lockUser(tx: pg.PoolClient, by: "id" | "email", value: string): Promise<UserRow | null> {
  const r = await tx.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE ${by === "id" ? "id" : "email"} = $1 FOR UPDATE`, [value]);
  return r.rows[0] ?? null;
}
