/**
 * Admin actions on identities (`kind = 'admin'`, on the admin chain, in the transaction of the change):
 * users, their personal API tokens, agents and their keys. The actor is `user:<email>`, `cli:<user>`,
 * `sso:<issuer>` (accounts made or changed at single sign-on) or `system:seed` (the first start).
 */
import { z } from "zod";
import { defineEntry, isoTime, role, uuid } from "./define.ts";

const email = z.string();

export const USER_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["user.create"],
  // `source: "oidc"`: made at a first single sign-on.
  data: z.strictObject({ user_id: uuid, email, role, source: z.literal("oidc").optional() }),
});

const roleChange = { user_id: uuid, email, role, before: role, after: role };
export const USER_ROLE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["user.role"],
  data: z.union([
    z.strictObject(roleChange),
    // Single sign-on: the role mapped from the provider's groups changed.
    z.strictObject({ ...roleChange, source: z.literal("oidc_groups"), issuer: z.string(), subject: z.string() }),
  ]),
  // Version 0 entries written before the role's previous value was recorded have no before/after.
  since: { before: 1, after: 1 },
});

export const USER_DISABLE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["user.disable", "user.enable"],
  data: z.strictObject({ user_id: uuid, email }),
});

export const TOKEN_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["token.create"],
  // `user`: the owner's email.
  data: z.strictObject({ token_id: uuid, key_id: z.string(), user: email, name: z.string() }),
});

export const TOKEN_REVOKE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["token.revoke"],
  data: z.strictObject({ key_id: z.string() }),
});

export const AGENT_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["agent.create"],
  // `owner` (an email) is absent in the entries of the first start's demo agents.
  // `federated_only: true`: created without a static key (workload identity federation).
  data: z.strictObject({
    agent_id: uuid,
    name: z.string(),
    owner: z.string().nullable().optional(),
    team: z.string().nullable(),
    federated_only: z.literal(true).optional(),
  }),
  columns: { agent_id: uuid },
});

export const AGENT_SUSPEND_ENTRY = defineEntry({
  kind: "admin",
  actions: ["agent.suspend", "agent.unsuspend"],
  data: z.strictObject({ agent_id: uuid, name: z.string(), reason: z.string().nullable() }),
  columns: { agent_id: uuid },
});

/** An agent's owner changed (the NHI inventory's fix for ownerless agents and owners who left). */
export const AGENT_OWNER_ENTRY = defineEntry({
  kind: "admin",
  actions: ["agent.owner"],
  data: z.strictObject({ agent_id: uuid, name: z.string(), owner: email.nullable(), before: email.nullable() }),
  columns: { agent_id: uuid },
});

export const KEY_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["key.create"],
  // `name`: the agent's.
  data: z.strictObject({ agent_id: uuid, name: z.string(), key_id: z.string(), expires_at: isoTime }),
  columns: { agent_id: uuid },
});

/**
 * A rotation (issue 20 §2): a new key for the agent, and the old key's expiry brought forward to the end
 * of the overlap (never later than it was). `key_id`: the new key; `replaces`: the old one.
 */
export const KEY_ROTATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["key.rotate"],
  data: z.strictObject({ agent_id: uuid, name: z.string(), key_id: z.string(), expires_at: isoTime, replaces: z.string(), replaced_expires_at: isoTime }),
  columns: { agent_id: uuid },
});

/**
 * A key, token or PEP key revoked on a leak report (POST /api/v1/keys/report-leak): where it was found.
 * `reporter`: `github` (a signed secret-scanning report) or the admin's actor; `kind`: the key's kind;
 * `owner`: the agent's or user's name, the PEP key's store; `already_revoked`: it was revoked before.
 */
export const KEY_LEAK_ENTRY = defineEntry({
  kind: "admin",
  actions: ["key.leak_revoke"],
  data: z.strictObject({
    key_id: z.string(),
    kind: z.enum(["agent_key", "personal_token", "pep_key"]),
    owner: z.string(),
    reporter: z.string(),
    token_type: z.string().nullable(),
    url: z.string().nullable(),
    source: z.string().nullable(),
    already_revoked: z.boolean(),
  }),
  columns: { agent_id: uuid.nullable() },
});

export const KEY_REVOKE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["key.revoke"],
  data: z.strictObject({ key_id: z.string() }),
  columns: { agent_id: uuid },
});

/** A trust rule of workload identity federation (lib/identity/federation/trust.ts), as stored. */
const trustRule = z.strictObject({
  rule_id: uuid,
  /** The agent's name. */
  name: z.string(),
  issuer: z.string(),
  subject: z.string(),
  claims: z.record(z.string(), z.string()),
  audience: z.string().nullable(),
  jwks_url: z.string().nullable(),
});

export const AGENT_TRUST_ENTRY = defineEntry({
  kind: "admin",
  actions: ["agent.trust.add", "agent.trust.remove"],
  data: trustRule,
  columns: { agent_id: uuid },
});

export const AGENT_FEDERATED_ONLY_ENTRY = defineEntry({
  kind: "admin",
  actions: ["agent.federated_only"],
  // `revoked_keys`: the static keys that setting federated-only revoked.
  data: z.strictObject({ agent_id: uuid, name: z.string(), federated_only: z.boolean(), revoked_keys: z.array(z.string()) }),
  columns: { agent_id: uuid },
});

/**
 * A platform token exchanged for a Mandate access token (`federation.exchange`; actor `federation:<issuer>`),
 * a Mandate access token renewed (`federation.renew`), or an exchange refused (`federation.refuse`, with the
 * reason the caller was given; agent_id when the token named an agent's trust rule).
 */
export const FEDERATION_EXCHANGE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["federation.exchange", "federation.renew"],
  data: z.strictObject({
    agent_id: uuid,
    name: z.string(),
    rule_id: uuid,
    issuer: z.string(),
    subject: z.string(),
    jti: z.string().nullable(),
    key_id: z.string(),
    expires_at: isoTime,
    /** DPoP (RFC 9449): the thumbprint of the key the new token is bound to; null or absent: a bearer token. */
    dpop_jkt: z.string().nullable().optional(),
  }),
  columns: { agent_id: uuid },
});

/**
 * A request refused for DPoP (RFC 9449) reasons with 401 (`dpop.refuse`, actor `agent:<name>` or
 * `dpop:unknown`): a DPoP-bound access token presented as Bearer, without a proof, with a proof of another
 * key, for another method or URL, of another token (`ath`), too old, or replayed; or a token that is not
 * bound presented with the DPoP scheme. `key_id`: the access token's; `jkt`: the thumbprint it is bound to.
 */
export const DPOP_REFUSE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["dpop.refuse"],
  data: z.strictObject({
    reason: z.string(),
    key_id: z.string().nullable(),
    jkt: z.string().nullable(),
    method: z.string(),
    path: z.string(),
  }),
  columns: { agent_id: uuid.nullable() },
});

export const FEDERATION_REFUSE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["federation.refuse"],
  data: z.strictObject({
    reason: z.string(),
    issuer: z.string().nullable(),
    subject: z.string().nullable(),
    jti: z.string().nullable(),
    grant: z.string(),
  }),
  columns: { agent_id: uuid.nullable() },
});
