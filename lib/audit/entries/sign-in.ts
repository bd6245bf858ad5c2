/**
 * Console sign-in events (`kind = 'admin'`, actions `auth.*`, on the node's admin chain). `source` is
 * the client address the node saw. Refusals have the actor `anonymous` and the outcome `deny`.
 */
import { z } from "zod";
import { count, defineEntry, uuid } from "./define.ts";

const email = z.string();
const provider = z.enum(["credentials", "oidc"]);
/** The provider identity of a single sign-on (OpenID Connect). */
const oidcIdentity = { provider: z.literal("oidc"), issuer: z.string(), subject: z.string(), email_verified: z.boolean(), source: z.string() };
const ssoRefusal = z.enum(["no_issuer_or_subject", "no_role", "disabled", "no_usable_email", "email_not_verified", "account_linked_to_another_identity"]);
export type SsoRefusal = z.infer<typeof ssoRefusal>;
const refused = { actor: z.literal("anonymous"), outcome: z.literal("deny") };

export const AUTH_SIGNIN_ENTRY = defineEntry({
  kind: "admin",
  actions: ["auth.signin"],
  // `session_id`: the console session started (console_sessions.id).
  data: z.strictObject({ user_id: uuid, email, provider, source: z.string(), session_id: uuid }),
  columns: { actor: z.string().startsWith("user:"), outcome: z.literal("allow") },
});

export const AUTH_SIGNOUT_ENTRY = defineEntry({
  kind: "admin",
  actions: ["auth.signout"],
  data: z.strictObject({ user_id: uuid, email, provider, session_id: uuid, reason: z.literal("signout") }),
  columns: { actor: z.string().startsWith("user:") },
});

export const AUTH_SIGNIN_FAILED_ENTRY = defineEntry({
  kind: "admin",
  actions: ["auth.signin_failed"],
  data: z.union([
    // Email and password. `user_id` when the email names an account.
    z.strictObject({
      email,
      source: z.string(),
      provider: z.literal("credentials"),
      reason: z.enum(["wrong_password", "unknown_account", "no_password", "disabled", "malformed", "check_failed"]),
      user_id: uuid.optional(),
    }),
    // Single sign-on refused.
    z.strictObject({
      ...oidcIdentity,
      email: email.nullable(),
      reason: ssoRefusal,
      user_id: uuid.optional(),
    }),
  ]),
  columns: refused,
});

export const AUTH_SIGNIN_THROTTLED_ENTRY = defineEntry({
  kind: "admin",
  actions: ["auth.signin_throttled"],
  // At most one a minute per account or source on each node; `refused_since_last_entry` counts the rest.
  data: z.strictObject({ email, source: z.string(), scope: z.enum(["account", "source"]), retry_after_s: count, refused_since_last_entry: count }),
  columns: refused,
});

export const AUTH_SSO_LINK_ENTRY = defineEntry({
  kind: "admin",
  actions: ["auth.sso_link"],
  data: z.strictObject({ ...oidcIdentity, user_id: uuid, email, via: z.enum(["legacy_subject", "verified_email", "new_account"]) }),
  columns: { actor: z.string().startsWith("sso:") },
});
