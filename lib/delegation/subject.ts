/**
 * The subject of a token exchange — whose authority is being delegated: a human (personal API token
 * or OIDC ID token: the first hop) or an existing Mandate delegation token (a further hop).
 */
import { hashCredential } from "../crypto/keys.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { verifyDelegationJwt, type DelegationClaims } from "./delegation-token.ts";
import { oauthError } from "./oauth-errors.ts";
import { verifyIdToken } from "./oidc.ts";
import type { DelegationService } from "./service.ts";
import { subjectKind, type SubjectKind } from "./token-types.ts";

export interface Subject {
  kind: SubjectKind;
  /** The human on whose behalf (email). */
  email: string;
  userId: string | null;
  /** The subject credential's own expiry (seconds), which the new token may not outlive. */
  expiresAt: number | null;
  /** The parent delegation of a further hop. */
  parent: DelegationClaims | null;
  /** For the audit entry: what vouched for the subject. */
  via: string;
}

async function personalToken(rt: Runtime, token: string): Promise<Subject> {
  const r = await rt.credentials.authenticate(token);
  if (!r.ok) throw oauthError("invalid_grant", `subject_token: personal API token ${r.failure}`);
  if (r.principal.kind !== "user") throw oauthError("invalid_grant", "subject_token: not a personal API token");
  const row = await getPool().query<Row<"api_tokens", "expires_at">>(`SELECT expires_at FROM api_tokens WHERE token_hash = $1`, [hashCredential(token)]);
  const exp = row.rows[0]?.expires_at ? Math.floor(row.rows[0].expires_at.getTime() / 1000) : null;
  return {
    kind: "personal_token",
    email: r.principal.email,
    userId: r.principal.userId,
    expiresAt: exp,
    parent: null,
    via: `personal_token:${r.principal.keyId ?? "?"}`,
  };
}

async function idToken(token: string): Promise<Subject> {
  const v = await verifyIdToken(token);
  if (!v.ok) throw oauthError(v.unsupported ? "invalid_request" : "invalid_grant", `subject_token: ${v.message}`);
  return { kind: "id_token", email: v.subject.email, userId: v.subject.userId, expiresAt: v.subject.expiresAt, parent: null, via: `oidc:${v.subject.issuer}` };
}

async function delegationToken(svc: DelegationService, token: string): Promise<Subject> {
  const v = await verifyDelegationJwt(svc.keys, token);
  if (!v.ok) throw oauthError("invalid_grant", `subject_token: ${v.message}`);
  const rev = await svc.revocations.check(v.claims.jti);
  if (!rev.ok) throw oauthError("invalid_grant", `subject_token: ${rev.message}`);
  if (await svc.subjects.isDisabled(v.claims.subject)) throw oauthError("invalid_grant", `subject_token: user ${v.claims.subject} is disabled`);
  return { kind: "delegation", email: v.claims.subject, userId: null, expiresAt: v.claims.expiresAt, parent: v.claims, via: `delegation:${v.claims.jti}` };
}

export async function resolveSubject(rt: Runtime, svc: DelegationService, token: string, type: string): Promise<Subject> {
  const kind = subjectKind(type, token);
  if (kind === null) {
    if (token.startsWith("mnd_ak_"))
      throw oauthError(
        "invalid_request",
        "subject_token: an agent API key cannot be the subject; authority starts with a human (personal API token or ID token) or a delegation token",
      );
    throw oauthError("invalid_request", `subject_token_type ${type} is not supported for this token (see docs/delegation.md)`);
  }
  if (kind === "personal_token") return personalToken(rt, token);
  if (kind === "id_token") return idToken(token);
  return delegationToken(svc, token);
}
