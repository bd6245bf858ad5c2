/**
 * A federated credential for the gateway (`--token-file` / MANDATE_TOKEN_FILE): the platform token in the
 * file (a Kubernetes projected service-account token, a SPIFFE JWT-SVID written by a helper, …) is
 * exchanged at Mandate's token endpoint (RFC 7523 jwt-bearer) for a short-lived Mandate access token,
 * which is renewed when two thirds of its lifetime have passed: the file is read again, and a new
 * platform token in it (Kubernetes rotates projected tokens) is exchanged; the same one (whose jti Mandate
 * accepts only once) renews the access token with itself (RFC 8693), bounded by the platform token's
 * expiry. A renewal that fails is tried again every few seconds until the access token expires; after
 * that Mandate answers 401 and the gateway stops like it does for a revoked key. No secret is stored.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const RETRY_MS = 5_000;

const tokenResponse = z.object({ access_token: z.string().startsWith("mnd_at_"), expires_in: z.number().int().positive() });
const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

export class TokenFileError extends Error {}

export class TokenFileCredential {
  private accessToken = "";
  private expiresAt = 0;
  private exchanged = "";
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: { url: string; path: string; timeoutMs: number; log: (line: string) => void }) {}

  /** The current Mandate access token (empty before start()). */
  get current(): string {
    return this.accessToken;
  }

  /** The first exchange: throws TokenFileError with Mandate's reason when it is refused. */
  async start(): Promise<void> {
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
    let res: Response;
    try {
      res = await fetch(`${this.opts.url}/api/v1/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
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
