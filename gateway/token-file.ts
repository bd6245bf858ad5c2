/**
 * A federated credential for the gateway (`--token-file` / MANDATE_TOKEN_FILE): the platform token in the
 * file (a Kubernetes projected service-account token, a SPIFFE JWT-SVID written by a helper, …) is
 * exchanged at Mandate's token endpoint (RFC 7523 jwt-bearer) for a short-lived Mandate access token,
 * which is renewed when two thirds of its lifetime have passed: the file is read again, and a new
 * platform token in it (Kubernetes rotates projected tokens) is exchanged; the same one (whose jti Mandate
 * accepts only once) renews the access token with itself (RFC 8693), bounded by the platform token's
 * expiry. A renewal that fails is tried again every few seconds until the access token expires; after
 * that Mandate answers 401 and the gateway stops like it does for a revoked key. No secret is stored.
 *
 * With `dpop` (--dpop), an ES256 key pair is made in memory at start (the private key is not extractable and
 * never written anywhere); every token request and every call to Mandate carries a DPoP proof (RFC 9449)
 * of it, so the access token is bound to the key and useless to whoever copies it from the process.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as jose from "jose";
import { z } from "zod";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const RETRY_MS = 5_000;

const tokenResponse = z.object({
  access_token: z.string().startsWith("mnd_at_"),
  expires_in: z.number().int().positive(),
  token_type: z.enum(["Bearer", "DPoP"]),
});

/** An ES256 key of this process only, and DPoP proofs (RFC 9449) signed with it. */
class DpopKey {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly jwk: jose.JWK,
  ) {}

  static async create(): Promise<DpopKey> {
    const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: false });
    const { kty, crv, x, y } = await jose.exportJWK(publicKey);
    return new DpopKey(privateKey, { kty, crv, x, y });
  }

  /** A proof for one request: its method and URL (without query), and the access token's hash when one is sent. */
  proof(method: string, url: URL, accessToken?: string): Promise<string> {
    const htu = `${url.origin}${url.pathname}`;
    const ath = accessToken === undefined ? {} : { ath: createHash("sha256").update(accessToken, "ascii").digest("base64url") };
    return new jose.SignJWT({ htm: method, htu, jti: randomUUID(), ...ath })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: this.jwk })
      .setIssuedAt()
      .sign(this.privateKey);
  }
}
const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

export class TokenFileError extends Error {}

export class TokenFileCredential {
  private accessToken = "";
  private expiresAt = 0;
  private exchanged = "";
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private dpopKey: DpopKey | null = null;

  constructor(private readonly opts: { url: string; path: string; timeoutMs: number; dpop?: boolean; log: (line: string) => void }) {}

  /** The current Mandate access token (empty before start()). */
  get current(): string {
    return this.accessToken;
  }

  /** The headers that authenticate a call to Mandate with the current access token (DPoP: with a proof for this call). */
  async headers(method: string, url: URL): Promise<Record<string, string>> {
    const token = this.accessToken;
    if (!this.dpopKey) return { authorization: `Bearer ${token}` };
    return { authorization: `DPoP ${token}`, dpop: await this.dpopKey.proof(method, url, token) };
  }

  /** The first exchange: throws TokenFileError with Mandate's reason when it is refused. */
  async start(): Promise<void> {
    if (this.opts.dpop) this.dpopKey = await DpopKey.create();
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private readPlatformToken(): string {
    let text: string;
    try {
      text = readFileSync(this.opts.path, "utf8");
    } catch (e) {
      throw new TokenFileError(`cannot read the token file ${this.opts.path}: ${(e as Error).message}`);
    }
    const token = text.trim();
    if (!token) throw new TokenFileError(`the token file ${this.opts.path} is empty`);
    return token;
  }

  private async refresh(): Promise<void> {
    const platform = this.readPlatformToken();
    const renew = platform === this.exchanged && this.accessToken && this.expiresAt > Date.now();
    const form: Record<string, string> = renew
      ? { grant_type: TOKEN_EXCHANGE, subject_token: this.accessToken, subject_token_type: ACCESS_TOKEN }
      : { grant_type: JWT_BEARER, assertion: platform };
    const endpoint = new URL(`${this.opts.url}/api/v1/token`);
    const dpop: Record<string, string> = this.dpopKey ? { dpop: await this.dpopKey.proof("POST", endpoint) } : {};
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...dpop },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      throw new TokenFileError(`Mandate is unreachable at ${this.opts.url}: ${(e as Error).message}`);
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = oauthError.safeParse(body);
      const why = err.success ? `${err.data.error}: ${err.data.error_description ?? ""}` : `HTTP ${res.status}`;
      throw new TokenFileError(`Mandate refused the ${renew ? "renewal of the access token" : `platform token in ${this.opts.path}`} (${why})`);
    }
    const ok = tokenResponse.safeParse(body);
    if (!ok.success) throw new TokenFileError("Mandate's token endpoint sent an invalid answer");
    // Fail closed: a gateway asked to hold a bound token does not run on a bearer one.
    if (this.dpopKey && ok.data.token_type !== "DPoP")
      throw new TokenFileError(`Mandate at ${this.opts.url} issued a ${ok.data.token_type} token where a DPoP-bound one was asked for`);
    this.accessToken = ok.data.access_token;
    this.expiresAt = Date.now() + ok.data.expires_in * 1000;
    this.exchanged = platform;
  }

  private schedule(delayMs?: number): void {
    if (this.stopped) return;
    const lifetime = this.expiresAt - Date.now();
    const wait = delayMs ?? Math.max(1_000, Math.floor((lifetime * 2) / 3));
    this.timer = setTimeout(() => {
      this.refresh().then(
        () => this.schedule(),
        (e: unknown) => {
          this.opts.log(`${(e as Error).message}; trying again in ${RETRY_MS / 1000} s`);
          this.schedule(RETRY_MS);
        },
      );
    }, wait);
    this.timer.unref();
  }
}
