/**
 * DPoP (RFC 9449): sender-constrained federated access tokens. A client that sends a `DPoP` proof with
 * its token request gets an access token bound to the proof's key (`cnf.jkt`, the RFC 7638 SHA-256
 * thumbprint, stored with the token); every later use of that token must carry `Authorization: DPoP
 * <token>` and a fresh proof of the same key for that request, with `ath` = the token's hash. A proof is
 * a JWT with `typ: dpop+jwt`, the public key in its `jwk` header (never a private one), an asymmetric
 * algorithm (ES256/384/512, EdDSA/Ed25519, RS256/384/512, PS256/384/512), `htm` = the request's method,
 * `htu` = MANDATE_PUBLIC_URL's origin + the request's path (query and fragment ignored, as §4.3 says),
 * `iat` within the last DPOP_MAX_AGE_S seconds (DPOP_FUTURE_S ahead for clock skew) and a `jti` seen
 * once: the jti is inserted in PostgreSQL (federation_jtis, issuer `dpop:<jkt>`) until the proof's window
 * has passed, so a replay is refused on every node. No server nonce (`DPoP-Nonce`) is asked for.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as jose from "jose";
import { getPool } from "../../db/pool.ts";

export const DPOP_ALGORITHMS = ["ES256", "ES384", "ES512", "EdDSA", "Ed25519", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
/** How old a proof's `iat` may be; its jti is kept this long (plus the skew) and refused again meanwhile. */
export const DPOP_MAX_AGE_S = 60;
/** How far ahead of this node's clock a proof's `iat` may be. */
export const DPOP_FUTURE_S = 5;
const MAX_PROOF_CHARS = 8192;

/** A proof that is missing, malformed or does not fit the request: `reason` is said to the caller and audited. */
export class DpopError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The request's single `DPoP` header: undefined when absent; refused when sent more than once or empty. */
export function dpopHeader(req: IncomingMessage): string | undefined {
  const raw = req.headersDistinct["dpop"];
  if (!raw) return undefined;
  if (raw.length !== 1) throw new DpopError("more than one DPoP header");
  if (!raw[0]) throw new DpopError("the DPoP header is empty");
  return raw[0];
}

/** The `ath` of an access token: base64url(SHA-256(token)). */
export const accessTokenHash = (token: string) => createHash("sha256").update(token, "ascii").digest("base64url");

/** The `htu` a proof for this request must carry: the public URL's origin and the request's path. */
export function expectedHtu(publicUrl: string, req: IncomingMessage): string {
  const path = (req.url ?? "/").split(/[?#]/)[0];
  return `${new URL(publicUrl).origin}${path}`;
}

function comparableHtu(htu: string): string | null {
  try {
    const u = new URL(htu);
    return `${u.origin}${u.pathname}`;
  } catch {
    return null;
  }
}

/**
 * Verifies a DPoP proof for a request (`method`, `htu`) and, when `accessToken` is given, its `ath`; records
 * its jti so it cannot be used again on any node. Returns the key's thumbprint (`jkt`).
 */
export async function verifyDpopProof(proof: string, want: { method: string; htu: string; accessToken?: string }): Promise<{ jkt: string }> {
  if (proof.length > MAX_PROOF_CHARS) throw new DpopError("the DPoP proof is too long");
  let header: jose.ProtectedHeaderParameters;
  try {
    header = jose.decodeProtectedHeader(proof);
  } catch {
    throw new DpopError("the DPoP proof is not a JWS");
  }
  if (header.typ !== "dpop+jwt") throw new DpopError("the DPoP proof's typ must be dpop+jwt");
  if (typeof header.alg !== "string" || !DPOP_ALGORITHMS.includes(header.alg))
    throw new DpopError(`the DPoP proof's algorithm ${String(header.alg)} is not accepted (${DPOP_ALGORITHMS.join(", ")})`);
  if (!header.jwk || typeof header.jwk !== "object") throw new DpopError("the DPoP proof has no jwk header (its public key)");
  if ("d" in header.jwk || "p" in header.jwk || "k" in header.jwk) throw new DpopError("the DPoP proof's jwk must be a public key");
  let payload: jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms: DPOP_ALGORITHMS }));
  } catch (e) {
    throw new DpopError(
      e instanceof jose.errors.JWSSignatureVerificationFailed ? "the DPoP proof's signature is invalid" : `the DPoP proof is invalid (${(e as Error).message})`,
    );
  }
  if (payload.htm !== want.method) throw new DpopError(`the DPoP proof's htm is ${String(payload.htm)}, the request's method ${want.method}`);
  if (typeof payload.htu !== "string" || comparableHtu(payload.htu) !== want.htu)
    throw new DpopError(`the DPoP proof's htu is ${String(payload.htu)}, the request's URL ${want.htu}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== "number" || !Number.isFinite(payload.iat)) throw new DpopError("the DPoP proof has no iat");
  if (payload.iat < now - DPOP_MAX_AGE_S) throw new DpopError(`the DPoP proof is too old (iat more than ${DPOP_MAX_AGE_S} s ago)`);
  if (payload.iat > now + DPOP_FUTURE_S) throw new DpopError("the DPoP proof's iat is in the future");
  if (typeof payload.jti !== "string" || payload.jti.length < 8 || payload.jti.length > 200)
    throw new DpopError("the DPoP proof needs a jti (a unique string of 8 to 200 characters)");
  if (want.accessToken !== undefined) {
    if (payload.ath !== accessTokenHash(want.accessToken)) throw new DpopError("the DPoP proof's ath is not the hash of the access token presented");
  }
  const jkt = await jose.calculateJwkThumbprint(header.jwk, "sha256");
  // Seen on any node within its window: a replay. An expired record is taken over.
  const r = await getPool().query(
    `INSERT INTO federation_jtis (issuer, jti, expires_at) VALUES ($1, $2, to_timestamp($3))
     ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE federation_jtis.expires_at < now()
     RETURNING 1`,
    [`dpop:${jkt}`, payload.jti, payload.iat + DPOP_MAX_AGE_S + DPOP_FUTURE_S],
  );
  if (!r.rowCount) throw new DpopError(`replayed: the DPoP proof with jti ${payload.jti} was already used`);
  return { jkt };
}
