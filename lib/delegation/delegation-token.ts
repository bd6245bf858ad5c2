/**
 * Mandate delegation tokens: signing and the cryptographic half of verification (signature, `typ`,
 * issuer, expiry, claim shapes). Revocation is checked separately (revocation-cache.ts) because it
 * needs the database.
 */
import * as jose from "jose";
import { buildAct, readActChain, type ActClaim, type ChainLink } from "./act-chain.ts";
import { parseScope } from "./scopes.ts";
import type { SigningKey } from "./signing-keys.ts";
import { DELEGATION_TYP } from "./token-types.ts";

/** What signing and verifying need of the key store (SigningKeyStore; a fake in unit tests). */
export interface KeySource {
  readonly issuer: string;
  ready(): Promise<void>;
  current(): Promise<SigningKey>;
  verificationKey(kid: string | undefined): Promise<SigningKey | null>;
}

export interface DelegationClaims {
  jti: string;
  /** The human on whose behalf (email). */
  subject: string;
  sessionId: string;
  scopes: string[];
  /** First hop … current actor. */
  chain: ChainLink[];
  audience: string | null;
  issuedAt: number; // seconds
  expiresAt: number; // seconds
  /** The call budget (claim `max_calls`, lib/delegation/budget.ts); absent or null: none of its own. */
  maxCalls?: number | null;
}

export async function signDelegationToken(keys: KeySource, c: DelegationClaims): Promise<string> {
  const k = await keys.current();
  const payload: jose.JWTPayload & { sid: string; scope: string; act: ActClaim; max_calls?: number } = {
    sid: c.sessionId,
    scope: c.scopes.join(" "),
    act: buildAct(c.chain),
  };
  if (c.maxCalls != null) payload.max_calls = c.maxCalls;
  const jwt = new jose.SignJWT(payload)
    .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: DELEGATION_TYP })
    .setIssuer(keys.issuer)
    .setSubject(c.subject)
    .setJti(c.jti)
    .setIssuedAt(c.issuedAt)
    .setExpirationTime(c.expiresAt);
  if (c.audience) jwt.setAudience(c.audience);
  return jwt.sign(k.key);
}

export type VerifyFailure = { ok: false; code: "expired" | "invalid"; message: string };

export function keyResolver(keys: KeySource): jose.JWTVerifyGetKey {
  return async (header) => {
    const k = await keys.verificationKey(header.kid);
    if (!k) throw new jose.errors.JWKSNoMatchingKey();
    return k.key;
  };
}

function describe(err: unknown): VerifyFailure {
  if (err instanceof jose.errors.JWTExpired) return { ok: false, code: "expired", message: "delegation token expired" };
  if (err instanceof jose.errors.JWKSNoMatchingKey) return { ok: false, code: "invalid", message: "delegation token signed with an unknown key" };
  if (err instanceof jose.errors.JWSSignatureVerificationFailed) return { ok: false, code: "invalid", message: "delegation token signature is invalid" };
  if (err instanceof jose.errors.JWTClaimValidationFailed)
    return { ok: false, code: "invalid", message: `delegation token claim ${err.claim} is invalid (${err.reason})` };
  if (err instanceof jose.errors.JOSEError) return { ok: false, code: "invalid", message: `delegation token is invalid (${err.code})` };
  return { ok: false, code: "invalid", message: "delegation token is malformed" };
}

/** Payload → claims, checking every Mandate-specific claim's shape. */
export function readClaims(p: jose.JWTPayload): { ok: true; claims: DelegationClaims } | VerifyFailure {
  const bad = (m: string): VerifyFailure => ({ ok: false, code: "invalid", message: `delegation token ${m}` });
  if (typeof p.jti !== "string" || typeof p.sub !== "string" || typeof p.exp !== "number" || typeof p.iat !== "number")
    return bad("lacks jti, sub, iat or exp");
  if (typeof p.sid !== "string" || !p.sid) return bad("lacks sid");
  if (typeof p.scope !== "string") return bad("lacks scope");
  const scopes = p.scope.split(" ").filter(Boolean);
  if (scopes.some((s) => parseScope(s) === null)) return bad("has a malformed scope");
  const chain = readActChain(p.act);
  if (!chain.ok) return bad(`has a malformed act claim: ${chain.message}`);
  const aud = Array.isArray(p.aud) ? p.aud.join(" ") : (p.aud ?? null);
  if (p.max_calls !== undefined && !(Number.isSafeInteger(p.max_calls) && (p.max_calls as number) > 0)) return bad("has a malformed max_calls");
  const claims: DelegationClaims = {
    jti: p.jti,
    subject: p.sub,
    sessionId: p.sid,
    scopes,
    chain: chain.chain,
    audience: aud,
    issuedAt: p.iat,
    expiresAt: p.exp,
  };
  if (p.max_calls !== undefined) claims.maxCalls = p.max_calls as number;
  return { ok: true, claims };
}

/** Signature, typ, issuer, expiry and claim shapes. */
export async function verifyDelegationJwt(keys: KeySource, token: string, now?: Date): Promise<{ ok: true; claims: DelegationClaims } | VerifyFailure> {
  await keys.ready();
  try {
    const { payload } = await jose.jwtVerify(token, keyResolver(keys), {
      issuer: keys.issuer,
      typ: DELEGATION_TYP,
      algorithms: ["EdDSA", "ES256"],
      requiredClaims: ["jti", "sub", "iat", "exp"],
      currentDate: now,
    });
    return readClaims(payload);
  } catch (err) {
    return describe(err);
  }
}
