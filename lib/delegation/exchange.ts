/**
 * OAuth 2.0 Token Exchange (RFC 8693) at POST /api/v1/token: a human (first hop) or an agent holding a
 * delegation token (further hops) hands authority to the agent that authenticates with `actor_token`.
 * Scopes only narrow, the expiry never outlives the parent (nor the subject credential), the session
 * is inherited, and every delegation is stored with its chain and audited in one transaction.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { MAX_DEPTH, type ChainLink } from "./act-chain.ts";
import { signDelegationToken, type DelegationClaims } from "./delegation-token.ts";
import { oauthError } from "./oauth-errors.ts";
import { narrowScopes, splitScopeParam } from "./scopes.ts";
import type { DelegationService } from "./service.ts";
import { resolveSubject, type Subject } from "./subject.ts";
import { GRANT_TYPE_TOKEN_EXCHANGE, isAgentKeyType, TOKEN_TYPE } from "./token-types.ts";
import { DELEGATION_ISSUE_ENTRY } from "../audit/entries/index.ts";
import type { Row } from "../db/rows.ts";
import type pg from "pg";
import { parseMaxCalls, remainingCalls } from "./budget.ts";
import { lineageBudgets, loadLineage } from "./revocation-cache.ts";

export const DEFAULT_LIFETIME_S = 3600;
export const MAX_LIFETIME_S = 24 * 3600;

const param = z.string().max(8192).optional();
/** Every parameter optional here so that a missing one gets a precise RFC 6749 error below. */
export const tokenExchangeForm = z.object({
  grant_type: param,
  subject_token: param,
  subject_token_type: param,
  actor_token: param,
  actor_token_type: param,
  scope: param,
  audience: param,
  requested_token_type: param,
  session_id: param.describe("Mandate extension: the session of a first-hop delegation (default: a new id)"),
  expires_in: param.describe("Mandate extension: requested lifetime in seconds (default 3600, at most 86400)"),
  max_calls: param.describe("Mandate extension: the delegation's call budget (claim max_calls), at most the parent's remaining calls"),
  assertion: param.describe("RFC 7523 jwt-bearer grant: the platform token (workload identity federation)"),
  agent: z.string().max(100).optional().describe("Mandate extension: the agent a platform token is exchanged for, when several trust it"),
});
export type TokenExchangeForm = z.infer<typeof tokenExchangeForm>;

export interface TokenExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: "N_A";
  expires_in: number;
  scope: string;
  session_id: string;
  /** The call budget, when the request set one. */
  max_calls?: number;
}

function required(f: TokenExchangeForm): Required<Pick<TokenExchangeForm, "subject_token" | "subject_token_type" | "actor_token" | "actor_token_type">> {
  if (!f.grant_type) throw oauthError("invalid_request", "grant_type is required");
  if (f.grant_type !== GRANT_TYPE_TOKEN_EXCHANGE) throw oauthError("unsupported_grant_type", `grant_type must be ${GRANT_TYPE_TOKEN_EXCHANGE}`);
  for (const k of ["subject_token", "subject_token_type", "actor_token", "actor_token_type"] as const) {
    if (!f[k])
      throw oauthError(
        "invalid_request",
        k.startsWith("actor") ? `${k} is required: the agent receiving authority authenticates with its API key` : `${k} is required`,
      );
  }
  if (!isAgentKeyType(f.actor_token_type!, f.actor_token!))
    throw oauthError(
      "invalid_request",
      `actor_token must be an agent API key (mnd_ak_…) or a federated access token (mnd_at_…) of type ${TOKEN_TYPE.accessToken} or ${TOKEN_TYPE.agentKey}`,
    );
  if (f.requested_token_type && f.requested_token_type !== TOKEN_TYPE.jwt && f.requested_token_type !== TOKEN_TYPE.delegation) {
    throw oauthError("invalid_request", `requested_token_type must be ${TOKEN_TYPE.jwt}`);
  }
  return f as never;
}

async function authenticateActor(rt: Runtime, token: string): Promise<AgentPrincipal> {
  const r = await rt.credentials.authenticate(token);
  if (!r.ok) throw oauthError("invalid_client", `actor_token: agent API key ${r.failure}`);
  if (r.principal.kind !== "agent") throw oauthError("invalid_client", "actor_token: not an agent API key");
  if (r.principal.suspended) throw oauthError("invalid_client", `actor_token: agent ${r.principal.name} is suspended`);
  return r.principal;
}

export function scopesFor(subject: Subject, scopeParam: string | undefined): string[] {
  const requested = splitScopeParam(scopeParam);
  if (!subject.parent && requested.length === 0) throw oauthError("invalid_request", "scope is required when a human grants authority (e.g. scope=tool:crm/*)");
  const r = narrowScopes(subject.parent?.scopes ?? null, requested);
  if (r.ok) return r.scopes;
  if (r.error === "too_many") throw oauthError("invalid_scope", "too many scopes (at most 50)");
  if (r.error === "malformed")
    throw oauthError(
      "invalid_scope",
      `scope ${r.scopes.join(" ")} is malformed: expected tool:<server>/<name>, resource:<server>/<uri> or prompt:<server>/<name> (* allowed for either part)`,
    );
  throw oauthError(
    "invalid_scope",
    `scope ${r.scopes.join(" ")} is not covered by the parent token's scope (${subject.parent!.scopes.join(" ")}): a delegation can only narrow`,
  );
}

export function sessionFor(subject: Subject, requested: string | undefined): string {
  if (requested !== undefined && (!requested || requested.length > 200 || /[\u0000-\u001f\u007f]/.test(requested))) {
    throw oauthError("invalid_request", "session_id must be 1-200 printable characters");
  }
  if (subject.parent) {
    if (requested && requested !== subject.parent.sessionId)
      throw oauthError("invalid_request", `a delegated token stays in its parent's session (${subject.parent.sessionId})`);
    return subject.parent.sessionId;
  }
  return requested ?? `ses-${randomUUID()}`;
}

export function expiryFor(subject: Subject, expiresIn: string | undefined, now: number): number {
  let lifetime = DEFAULT_LIFETIME_S;
  if (expiresIn !== undefined) {
    if (!/^\d{1,6}$/.test(expiresIn) || +expiresIn < 1 || +expiresIn > MAX_LIFETIME_S)
      throw oauthError("invalid_request", `expires_in must be 1-${MAX_LIFETIME_S} seconds`);
    lifetime = +expiresIn;
  }
  const exp = Math.min(now + lifetime, subject.expiresAt ?? Infinity);
  if (exp <= now) throw oauthError("invalid_grant", "subject_token has expired");
  return exp;
}

export async function store(rt: NodeContext, claims: DelegationClaims, subject: Subject, actor: Pick<AgentPrincipal, "agentId" | "name">): Promise<void> {
  const parentId = subject.parent?.jti ?? null;
  await adminAction(rt, async (tx) => {
    if (parentId) {
      // Locks the parent against a concurrent revocation until this child is committed.
      const p = await tx.query<Row<"delegations", "revoked_at">>(`SELECT revoked_at FROM delegations WHERE id = $1 FOR SHARE`, [parentId]);
      if (!p.rowCount || p.rows[0].revoked_at) throw oauthError("invalid_grant", "subject_token: delegation token was revoked");
      if (claims.maxCalls != null) await checkBudgetFits(tx, parentId, claims.sessionId, claims.maxCalls);
    }
    await tx.query(
      `INSERT INTO delegations (id, parent_id, session_id, subject, agent_id, chain, depth, scopes, audience, expires_at, created_at, created_by, max_calls)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10), now(), $11, $12)`,
      [
        claims.jti,
        parentId,
        claims.sessionId,
        claims.subject,
        actor.agentId,
        JSON.stringify(claims.chain),
        claims.chain.length,
        claims.scopes,
        claims.audience,
        claims.expiresAt,
        subject.via,
        claims.maxCalls ?? null,
      ],
    );
    const grantor = subject.parent ? `agent:${subject.parent.chain[subject.parent.chain.length - 1].name}` : `user:${subject.email}`;
    return {
      result: null,
      audit: DELEGATION_ISSUE_ENTRY.entry({
        actor: grantor,
        agent_id: actor.agentId,
        session_id: claims.sessionId,
        data: {
          jti: claims.jti,
          parent: parentId,
          on_behalf_of: claims.subject,
          to: actor.name,
          chain: claims.chain.map((c) => c.name),
          depth: claims.chain.length,
          scopes: claims.scopes,
          expires_at: new Date(claims.expiresAt * 1000).toISOString(),
          audience: claims.audience,
          via: subject.via,
          ...(claims.maxCalls != null ? { max_calls: claims.maxCalls } : {}),
        },
      }),
    };
  });
}

export async function exchangeToken(rt: Runtime, svc: DelegationService, form: TokenExchangeForm): Promise<TokenExchangeResponse> {
  const f = required(form);
  const maxCalls = parseMaxCalls(form.max_calls);
  const actor = await authenticateActor(rt, f.actor_token);
  const subject = await resolveSubject(rt, svc, f.subject_token, f.subject_token_type);
  const scopes = scopesFor(subject, form.scope);
  const link: ChainLink = { agent_id: actor.agentId, name: actor.name };
  const chain = [...(subject.parent?.chain ?? []), link];
  if (chain.length > MAX_DEPTH) throw oauthError("invalid_request", `delegation chain would be deeper than ${MAX_DEPTH}`);
  const now = Math.floor(Date.now() / 1000);
  const claims: DelegationClaims = {
    jti: randomUUID(),
    subject: subject.email,
    sessionId: sessionFor(subject, form.session_id),
    scopes,
    chain,
    audience: form.audience ?? subject.parent?.audience ?? null,
    issuedAt: now,
    expiresAt: expiryFor(subject, form.expires_in, now),
    maxCalls,
  };
  const token = await signDelegationToken(svc.keys, claims);
  await store(rt, claims, subject, actor);
  return {
    access_token: token,
    issued_token_type: TOKEN_TYPE.jwt,
    token_type: "N_A",
    expires_in: claims.expiresAt - now,
    scope: scopes.join(" "),
    session_id: claims.sessionId,
    ...(maxCalls !== null ? { max_calls: maxCalls } : {}),
  };
}

/**
 * A child's budget may not exceed what is left of any budget it would spend (its parent's and the
 * ancestors'), as spent in the session now. Calls spent later also spend those budgets, so the child
 * never lets its lineage go over.
 */
async function checkBudgetFits(tx: pg.PoolClient, parentId: string, sessionId: string, maxCalls: number): Promise<void> {
  const budgets = lineageBudgets(await loadLineage(parentId, tx));
  if (!budgets.length) return;
  const s = await tx.query<{ d: Record<string, number> | null }>(`SELECT counters->'d' AS d FROM sessions WHERE id = $1`, [sessionId]);
  const left = remainingCalls(budgets, { d: s.rows[0]?.d ?? undefined })!;
  if (maxCalls > left)
    throw oauthError(
      "invalid_request",
      `max_calls ${maxCalls} exceeds the parent delegation's remaining call budget (${left} calls left): a delegation can only narrow`,
    );
}
