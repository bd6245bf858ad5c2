/**
 * A real JWKS-serving issuer for the workload identity federation tests (node:http + jose): an OpenID
 * discovery document, a JWKS, and tokens shaped like a Kubernetes projected service-account token
 * (`system:serviceaccount:<ns>:<name>`, a `kubernetes.io` claim), a SPIFFE JWT-SVID (`spiffe://…`) or a
 * GitHub Actions OIDC token. `rotate()` replaces the signing key (the JWKS then holds only the new one);
 * `jwksFetches` counts how often the JWKS was read.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import * as jose from "jose";
import { freePort } from "./mandate.ts";

export interface TestIssuer {
  url: string;
  jwksUrl: string;
  kid: string;
  jwksFetches: number;
  lastJwksFetchAt: number;
  sign(
    claims: Record<string, unknown>,
    opts?: { sub?: string; aud?: string | string[]; exp?: number; nbf?: number; jti?: string | null; kid?: string },
  ): Promise<string>;
  kubernetes(ns: string, sa: string, aud: string, opts?: { exp?: number; jti?: string | null }): Promise<string>;
  spiffe(id: string, aud: string): Promise<string>;
  rotate(): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuer(alg: "RS256" | "ES256" = "ES256"): Promise<TestIssuer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let key: { kid: string; priv: jose.CryptoKey; jwk: jose.JWK };
  const newKey = async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg);
    const kid = randomUUID();
    key = { kid, priv: privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" } };
  };
  await newKey();
  const server: Server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys` }));
    else if (req.url === "/keys") {
      issuer.jwksFetches++;
      issuer.lastJwksFetchAt = Date.now();
      res.end(JSON.stringify({ keys: [key.jwk] }));
    } else res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  const now = () => Math.floor(Date.now() / 1000);
  const issuer: TestIssuer = {
    url,
    jwksUrl: `${url}/keys`,
    get kid() {
      return key.kid;
    },
    jwksFetches: 0,
    lastJwksFetchAt: 0,
    async sign(claims, opts = {}) {
      const jwt = new jose.SignJWT({ ...claims, ...(opts.jti === null ? {} : { jti: opts.jti ?? randomUUID() }) })
        .setProtectedHeader({ alg, kid: opts.kid ?? key.kid, typ: "JWT" })
        .setIssuer(url)
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? now() + 600);
      if (opts.sub) jwt.setSubject(opts.sub);
      if (opts.aud) jwt.setAudience(opts.aud);
      if (opts.nbf) jwt.setNotBefore(opts.nbf);
      return jwt.sign(key.priv);
    },
    kubernetes(ns, sa, aud, opts = {}) {
      return issuer.sign(
        { "kubernetes.io": { namespace: ns, serviceaccount: { name: sa, uid: randomUUID() }, pod: { name: `${sa}-7d9f`, uid: randomUUID() } } },
        { sub: `system:serviceaccount:${ns}:${sa}`, aud, ...opts },
      );
    },
    spiffe(id, aud) {
      return issuer.sign({}, { sub: id, aud });
    },
    rotate: newKey,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return issuer;
}
