/**
 * ID tokens from the configured OpenID provider (OIDC_ISSUER) as the subject of a first hop: verified
 * against the provider's JWKS (found through its discovery document, cached by jose), with the issuer
 * and the audience (OIDC_CLIENT_ID) checked. The human is identified by email; a Mandate user with that
 * OIDC subject or email must not be disabled.
 */
import * as jose from "jose";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { env } from "../env.ts";

interface Provider {
  issuer: string;
  jwks: ReturnType<typeof jose.createRemoteJWKSet>;
}

let provider: { configured: string; p: Promise<Provider> } | null = null;

async function discover(configured: string): Promise<Provider> {
  const base = configured.replace(/\/$/, "");
  const r = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`OIDC discovery at ${base} answered ${r.status}`);
  const doc = (await r.json()) as { issuer?: string; jwks_uri?: string };
  if (!doc.issuer || !doc.jwks_uri) throw new Error("OIDC discovery document lacks issuer or jwks_uri");
  if (doc.issuer.replace(/\/$/, "") !== base) throw new Error(`OIDC discovery issuer ${doc.issuer} does not match OIDC_ISSUER`);
  return { issuer: doc.issuer, jwks: jose.createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000 }) };
}

function currentProvider(configured: string): Promise<Provider> {
  if (!provider || provider.configured !== configured) {
    const p = discover(configured);
    provider = { configured, p };
    p.catch(() => {
      if (provider?.p === p) provider = null; // retry discovery next time
    });
  }
  return provider.p;
}

export interface OidcSubject {
  email: string;
  userId: string | null;
  expiresAt: number;
  issuer: string;
}

export type OidcResult = { ok: true; subject: OidcSubject } | { ok: false; unsupported?: boolean; message: string };

export async function verifyIdToken(idToken: string): Promise<OidcResult> {
  const e = env();
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID)
    return { ok: false, unsupported: true, message: "ID tokens are not accepted: no OpenID provider is configured (OIDC_ISSUER, OIDC_CLIENT_ID)" };
  let p: Provider;
  try {
    p = await currentProvider(e.OIDC_ISSUER);
  } catch (err) {
    return { ok: false, message: `the OpenID provider cannot be reached: ${(err as Error).message}` };
  }
  let claims: jose.JWTPayload;
  try {
    ({ payload: claims } = await jose.jwtVerify(idToken, p.jwks, { issuer: p.issuer, audience: e.OIDC_CLIENT_ID, requiredClaims: ["sub", "exp", "iat"] }));
  } catch (err) {
    if (err instanceof jose.errors.JWTExpired) return { ok: false, message: "ID token expired" };
    return { ok: false, message: `ID token is invalid (${(err as { code?: string }).code ?? "malformed"})` };
  }
  const email = typeof claims.email === "string" ? claims.email.toLowerCase() : null;
  if (!email) return { ok: false, message: "ID token has no email claim" };
  if (claims.email_verified === false) return { ok: false, message: "ID token email is not verified" };
  // The account linked to this identity (lib/auth/sso.ts), else the account with this email.
  const u = await getPool().query<Row<"users", "id" | "disabled_at">>(
    `SELECT id, disabled_at FROM users
      WHERE id = (SELECT user_id FROM user_identities WHERE subject = $1 AND issuer IN ($3, '') ORDER BY issuer DESC LIMIT 1)
         OR email = $2
      ORDER BY (email = $2) LIMIT 1`,
    [claims.sub, email, p.issuer],
  );
  if (u.rows[0]?.disabled_at) return { ok: false, message: `user ${email} is disabled` };
  return { ok: true, subject: { email, userId: u.rows[0]?.id ?? null, expiresAt: claims.exp!, issuer: p.issuer } };
}
