/**
 * `delegation` entries: a delegation token issued by token exchange (`delegation.issue`, actor the
 * grantor: `user:<email>` for a first hop, `agent:<name>` for a further one) or revoked with its
 * descendants (`delegation.revoke`). On the admin chain, in the transaction that stored the change.
 */
import { z } from "zod";
import { count, defineEntry, isoTime, uuid } from "./define.ts";

const delegationIssueData = z.strictObject({
  /** The token's id (`jti`), and its parent's for a further hop. */
  jti: uuid,
  parent: uuid.nullable(),
  /** The human on whose behalf the work happens (`sub`). */
  on_behalf_of: z.string(),
  /** The agent the authority was handed to, and the chain of agent names from the first hop to it. */
  to: z.string(),
  chain: z.array(z.string()),
  depth: z.number().int().min(1),
  scopes: z.array(z.string()),
  expires_at: isoTime,
  audience: z.string().nullable(),
  /** What the subject token was: `personal_token:<key id>`, `oidc:<issuer>`, `delegation:<jti>`. */
  via: z.string(),
  /** The call budget (claim max_calls), when the token carries one. */
  max_calls: z.number().int().positive().optional(),
});

export const DELEGATION_ISSUE_ENTRY = defineEntry({
  kind: "delegation",
  actions: ["delegation.issue"],
  data: delegationIssueData,
  columns: { agent_id: uuid, session_id: z.string().nullable() },
});

const delegationRevokeData = z.strictObject({
  jti: uuid,
  /** Every delegation this revocation ended (the token and its descendants not revoked before). */
  revoked: z.array(uuid),
  cascade: count,
  reason: z.string().nullable(),
});

export const DELEGATION_REVOKE_ENTRY = defineEntry({
  kind: "delegation",
  actions: ["delegation.revoke"],
  data: delegationRevokeData,
  columns: { agent_id: uuid, session_id: z.string().nullable() },
});
