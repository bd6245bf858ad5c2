/**
 * Workload identity federation, the exchange: a platform token (a JWT from an issuer an agent trusts:
 * Kubernetes service-account token, SPIFFE JWT-SVID, GitHub Actions OIDC token, any OpenID issuer with
 * a JWKS) is verified against the issuer's keys and the agent's trust rules and exchanged for a
 * short-lived Mandate access token (`mnd_at_…`, at most MANDATE_FEDERATION_TOKEN_TTL_S, never outliving
 * the platform token), which authenticates the agent like its API key would. A `jti` is accepted once
 * until its token expires, on every node (federation_jtis, a unique insert in the exchange's
 * transaction). Every refusal is a 401 (`invalid_grant`... as RFC 6749 says for a bad grant, answered
 * with status 401 here) with the reason, and an audit entry.
 */
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import { adminAction } from "../../audit/admin-action.ts";
import { FEDERATION_EXCHANGE_ENTRY, FEDERATION_REFUSE_ENTRY } from "../../audit/entries/index.ts";
import { hashCredential, newCredential } from "../../crypto/keys.ts";
import { getPool } from "../../db/pool.ts";
import type { Row } from "../../db/rows.ts";
import { env } from "../../env.ts";
import { MandateError } from "../../errors.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { DpopError } from "./dpop.ts";
import { IssuerKeys } from "./issuer-keys.ts";

export const GRANT_TYPE_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
/** Asymmetric algorithms only: never `none`, never a shared secret. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
const CLOCK_TOLERANCE_S = 5;
/** Renewals of access tokens from one platform token stop after this long, however long that token lives. */
export const MAX_RENEWAL_WINDOW_S = 24 * 3600;

export interface FederatedTokenResponse {
  access_token: string;
  issued_token_type: string;
  /** "DPoP" when the token is bound to the key of the request's DPoP proof (RFC 9449). */
  token_type: "Bearer" | "DPoP";
  expires_in: number;
  agent: string;
}

let issuerKeys: IssuerKeys | null = null;
function keys(): IssuerKeys {
  return (issuerKeys ??= new IssuerKeys(env().MANDATE_FEDERATION_JWKS_COOLDOWN_S * 1000));
}

/**
 * A refusal: 401 with the reason (RFC 6749's `invalid_grant`), or 400 `invalid_dpop_proof` for a DPoP
 * proof that does not hold (RFC 9449 §5), after its audit entry.
 */
class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly agentId: string | null = null,
    readonly code: "invalid_grant" | "invalid_dpop_proof" = "invalid_grant",
  ) {
    super(reason);
  }
}

/**
 * The DPoP proof of a token request, verified when the exchange needs it (so that a refusal is audited
 * like any other): resolves to the key's thumbprint, or null without a proof.
 */
export type DpopKey = () => Promise<string | null>;

async function proofKey(dpop: DpopKey | undefined, agentId: string | null = null): Promise<string | null> {
  try {
    return dpop ? await dpop() : null;
  } catch (e) {
    if (e instanceof DpopError) throw new Refusal(`DPoP: ${e.reason}`, agentId, "invalid_dpop_proof");
    throw e;
  }
}

interface Facts {
  grant: string;
  issuer: string | null;
  subject: string | null;
  jti: string | null;
}

async function refuse(rt: Runtime, facts: Facts, r: Refusal): Promise<never> {
  await adminAction(rt, async () => ({
    result: null,
    audit: FEDERATION_REFUSE_ENTRY.entry({
      actor: `federation:${facts.issuer ?? "unknown"}`,
      agent_id: r.agentId,
      data: { reason: r.reason, issuer: facts.issuer, subject: facts.subject, jti: facts.jti, grant: facts.grant },
    }),
  }));
  if (r.code === "invalid_dpop_proof") throw new MandateError(400, "invalid_dpop_proof", r.reason);
  throw new MandateError(401, "invalid_grant", r.reason, undefined, { "WWW-Authenticate": `Bearer realm="mandate-token", error="invalid_grant"` });
}

type RuleRow = Row<"agent_trust_rules", "id" | "issuer" | "subject" | "claims" | "audience" | "jwks_url"> &
  Row<"agents", "name" | "suspended_at"> & { agent_id: string };

const str = (v: unknown) => (typeof v === "string" ? v : null);

/** Exchanges a platform token (RFC 8693 subject_token of type jwt, or RFC 7523 assertion) for a Mandate access token. */
export async function exchangeFederated(
  rt: Runtime,
  input: { token: string; grant: string; agent?: string; audience?: string; dpop?: DpopKey },
): Promise<FederatedTokenResponse> {
  const facts: Facts = { grant: input.grant, issuer: null, subject: null, jti: null };
  try {
    return await exchange(rt, input, facts);
  } catch (e) {
    if (e instanceof Refusal) return refuse(rt, facts, e);
    throw e;
  }
}

async function exchange(
  rt: Runtime,
  input: { token: string; agent?: string; audience?: string; dpop?: DpopKey },
  facts: Facts,
): Promise<FederatedTokenResponse> {
  checkRequestedAudience(rt, input.audience);
  let unverified: jose.JWTPayload;
  try {
    unverified = jose.decodeJwt(input.token);
  } catch {
    throw new Refusal("the platform token is not a JWT");
  }
  facts.issuer = str(unverified.iss);
  facts.subject = str(unverified.sub);
  facts.jti = str(unverified.jti);
  if (!facts.issuer) throw new Refusal("the platform token has no iss (issuer) claim");
  const rules = (
    await getPool().query<RuleRow>(
      `SELECT r.id, r.issuer, r.subject, r.claims, r.audience, r.jwks_url, a.id AS agent_id, a.name, a.suspended_at
         FROM agent_trust_rules r JOIN agents a ON a.id = r.agent_id
        WHERE r.issuer = $1 AND ($2::text IS NULL OR a.name = $2) ORDER BY r.created_at`,
      [facts.issuer, input.agent ?? null],
    )
  ).rows;
  if (!rules.length)
    throw new Refusal(input.agent ? `issuer ${facts.issuer} is not trusted for agent ${input.agent}` : `issuer ${facts.issuer} is not trusted for any agent`);
  const onlyAgent = new Set(rules.map((r) => r.agent_id)).size === 1 ? rules[0].agent_id : null;

  // The signature, iss, exp and nbf: once per key source among the rules (almost always one).
  const claims = await verify(input.token, facts.issuer, rules, onlyAgent);
  const defaultAudience = rt.config.publicUrl;
  const matched: RuleRow[] = [];
  let closest: { depth: number; reason: string; agentId: string } | null = null;
  const miss = (depth: number, reason: string, r: RuleRow) => {
    if (!closest || depth > closest.depth) closest = { depth, reason, agentId: r.agent_id };
  };
  for (const r of rules) {
    if (claims.sub !== r.subject) {
      miss(0, `subject ${claims.sub ?? "(none)"} is not trusted: agent ${r.name} trusts ${r.subject} from ${r.issuer}`, r);
      continue;
    }
    const want = r.audience ?? defaultAudience;
    const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(want)) {
      miss(1, `wrong audience: the platform token is for ${aud.length ? aud.join(", ") : "(no audience)"}, agent ${r.name} expects ${want}`, r);
      continue;
    }
    const bad = Object.entries(r.claims as Record<string, string>).find(([k, v]) => claims[k] !== v);
    if (bad) {
      miss(2, `claim ${bad[0]} must be the string ${JSON.stringify(bad[1])} for agent ${r.name}`, r);
      continue;
    }
    matched.push(r);
  }
  if (!matched.length) {
    const c = closest as { reason: string; agentId: string } | null;
    throw new Refusal(c?.reason ?? "no trust rule matches", c?.agentId ?? onlyAgent);
  }
  const agents = new Set(matched.map((r) => r.agent_id));
  if (agents.size > 1)
    throw new MandateError(
      400,
      "invalid_request",
      `several agents trust this identity (${[...new Set(matched.map((r) => r.name))].join(", ")}): name one with agent=`,
    );
  const rule = matched[0];
  if (rule.suspended_at) throw new Refusal(`agent ${rule.name} is suspended`, rule.agent_id);
  if (!claims.exp) throw new Refusal("the platform token has no exp (expiry) claim", rule.agent_id);
  // Verified last: a proof's jti is spent only by a request that would otherwise succeed.
  const jkt = await proofKey(input.dpop, rule.agent_id);
  return issue(rt, rule, claims.exp, facts, "federation.exchange", jkt);
}

function checkRequestedAudience(rt: Runtime, audience: string | undefined): void {
  if (audience !== undefined && audience !== rt.config.publicUrl)
    throw new MandateError(400, "invalid_target", `audience must be this Mandate (${rt.config.publicUrl}): its access tokens are accepted nowhere else`);
}

async function verify(token: string, issuer: string, rules: RuleRow[], agentId: string | null): Promise<jose.JWTPayload> {
  const sources = [...new Set(rules.map((r) => r.jwks_url ?? ""))];
  let last: Refusal | null = null;
  for (const src of sources) {
    let keySet;
    try {
      keySet = await keys().keySet(issuer, src || null);
    } catch (e) {
      last = new Refusal(`the keys of issuer ${issuer} cannot be fetched: ${(e as Error).message}`, agentId);
      continue;
    }
    try {
      const { payload } = await jose.jwtVerify(token, keySet, {
        issuer,
        algorithms: ALGORITHMS,
        requiredClaims: ["exp", "sub"],
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      return payload;
    } catch (e) {
      last = new Refusal(verifyFailure(e, issuer), agentId);
    }
  }
  throw last ?? new Refusal("the platform token could not be verified", agentId);
}

function verifyFailure(e: unknown, issuer: string): string {
  if (e instanceof jose.errors.JWTExpired) return "the platform token has expired";
  if (e instanceof jose.errors.JWTClaimValidationFailed) {
    if (e.claim === "nbf") return "the platform token is not valid yet (nbf)";
    return `the platform token's ${e.claim} claim is invalid: ${e.message}`;
  }
  if (e instanceof jose.errors.JWKSNoMatchingKey)
    return `no key of issuer ${issuer} matches the token's kid (its keys are fetched again at most once per cooldown)`;
  if (e instanceof jose.errors.JWSSignatureVerificationFailed) return "the platform token's signature is invalid";
  if (e instanceof jose.errors.JOSEAlgNotAllowed) return "the platform token's algorithm is not accepted (asymmetric signatures only)";
  if (e instanceof jose.errors.JWKSTimeout || e instanceof jose.errors.JWKSInvalid)
    return `the keys of issuer ${issuer} cannot be fetched (${(e as Error).message})`;
  if (e instanceof jose.errors.JOSEError) return `the platform token is invalid (${e.code})`;
  return `the keys of issuer ${issuer} cannot be fetched (${(e as Error).message})`;
}

/** Stores a new access token for the rule's agent, the jti (when the exchange has one) and the audit entry, in one transaction. */
async function issue(
  rt: Runtime,
  rule: Pick<RuleRow, "id" | "agent_id" | "name" | "issuer" | "subject">,
  sourceExp: number,
  facts: Facts,
  action: "federation.exchange" | "federation.renew",
  jkt: string | null,
): Promise<FederatedTokenResponse> {
  const now = Math.floor(Date.now() / 1000);
  // The first exchange fixes how long renewals may go on: the platform token's expiry, at most 24 h away.
  const renewUntil = action === "federation.exchange" ? Math.min(sourceExp, now + MAX_RENEWAL_WINDOW_S) : sourceExp;
  const exp = Math.min(now + env().MANDATE_FEDERATION_TOKEN_TTL_S, renewUntil);
  if (exp <= now) throw new Refusal("the platform token has expired", rule.agent_id);
  const cred = newCredential("agent_token");
  await adminAction(rt, async (tx) => {
    if (facts.jti && action === "federation.exchange") {
      // First exchange of this jti on any node, or one whose previous record has expired.
      const r = await tx.query(
        `INSERT INTO federation_jtis (issuer, jti, expires_at) VALUES ($1, $2, to_timestamp($3))
         ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE federation_jtis.expires_at < now()
         RETURNING 1`,
        [rule.issuer, facts.jti, sourceExp],
      );
      if (!r.rowCount) throw new Refusal(`replayed: the platform token with jti ${facts.jti} was already exchanged`, rule.agent_id);
    }
    await tx.query(
      `INSERT INTO agent_access_tokens (id, agent_id, trust_rule_id, key_id, token_hash, audience, expires_at, source_expires_at, dpop_jkt)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7), to_timestamp($8), $9)`,
      [randomUUID(), rule.agent_id, rule.id, cred.keyId, cred.hash, rt.config.publicUrl, exp, renewUntil, jkt],
    );
    return {
      result: null,
      audit: FEDERATION_EXCHANGE_ENTRY.entry({
        action,
        actor: `federation:${rule.issuer}`,
        agent_id: rule.agent_id,
        data: {
          agent_id: rule.agent_id,
          name: rule.name,
          rule_id: rule.id,
          issuer: rule.issuer,
          subject: rule.subject,
          jti: facts.jti,
          key_id: cred.keyId,
          expires_at: new Date(exp * 1000).toISOString(),
          dpop_jkt: jkt,
        },
      }),
    };
  });
  purgeExpired();
  return {
    access_token: cred.secret,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: jkt ? "DPoP" : "Bearer",
    expires_in: exp - now,
    agent: rule.name,
  };
}

/**
 * Renews a Mandate access token while the platform token it came from is valid (a pod's projected token
 * is re-presented by the gateway until the kubelet rotates it, and its jti may be exchanged only once):
 * a new token, bounded by the same platform token's expiry. The trust rule must still exist. A DPoP-bound
 * token is renewed only with a proof of its key (and stays bound to it); an unbound one renewed with a
 * proof becomes bound.
 */
export async function renewFederated(rt: Runtime, token: string, audience?: string, dpop?: DpopKey): Promise<FederatedTokenResponse> {
  const facts: Facts = { grant: "renew", issuer: null, subject: null, jti: null };
  try {
    checkRequestedAudience(rt, audience);
    const auth = await rt.credentials.authenticate(token);
    if (!auth.ok) throw new Refusal(`subject_token: Mandate access token ${auth.failure}`);
    const r = await getPool().query<
      Row<"agent_access_tokens", "source_expires_at"> &
        Row<"agent_trust_rules", "id" | "issuer" | "subject"> &
        Row<"agents", "name" | "suspended_at"> & { agent_id: string }
    >(
      `SELECT t.source_expires_at, r.id, r.issuer, r.subject, a.id AS agent_id, a.name, a.suspended_at
         FROM agent_access_tokens t JOIN agent_trust_rules r ON r.id = t.trust_rule_id JOIN agents a ON a.id = t.agent_id
        WHERE t.token_hash = $1`,
      [hashCredential(token)],
    );
    const row = r.rows[0];
    if (!row) throw new Refusal("subject_token: Mandate access token unknown");
    Object.assign(facts, { issuer: row.issuer, subject: row.subject });
    if (row.suspended_at) throw new Refusal(`agent ${row.name} is suspended`, row.agent_id);
    const sourceExp = Math.floor(row.source_expires_at.getTime() / 1000);
    if (sourceExp <= Math.floor(Date.now() / 1000))
      throw new Refusal("the platform token behind this access token has expired: exchange a new platform token", row.agent_id);
    const bound = auth.principal.kind === "agent" ? (auth.principal.dpopJkt ?? null) : null;
    const jkt = await proofKey(dpop, row.agent_id);
    if (bound && !jkt) throw new Refusal("DPoP: the access token is DPoP-bound: its renewal needs a DPoP proof of its key", row.agent_id, "invalid_dpop_proof");
    if (bound && jkt !== bound)
      throw new Refusal("DPoP: the DPoP proof is signed by another key than the one the access token is bound to", row.agent_id, "invalid_dpop_proof");
    return await issue(rt, row, sourceExp, facts, "federation.renew", jkt);
  } catch (e) {
    if (e instanceof Refusal) return refuse(rt, facts, e);
    throw e;
  }
}

let lastPurge = 0;
/** Expired jtis (of platform tokens and DPoP proofs) and access tokens are deleted now and then (an expired token is refused anyway). */
export function purgeExpired(): void {
  if (Date.now() - lastPurge < 60_000) return;
  lastPurge = Date.now();
  const pool = getPool();
  void pool
    .query(`DELETE FROM federation_jtis WHERE expires_at < now() - interval '5 minutes'`)
    .then(() => pool.query(`DELETE FROM agent_access_tokens WHERE expires_at < now() - interval '1 hour'`))
    .catch(() => {});
}
