/**
 * The signing keys of the issuers agents trust, per process: the JWKS at a configured URL, or at the
 * `jwks_uri` of `<issuer>/.well-known/openid-configuration`. jose's remote key set caches the keys
 * (10 minutes) and, on a `kid` it does not hold, fetches them again at most once per cooldown, so a key
 * rotation at the issuer is picked up and a flood of made-up `kid`s costs at most one fetch per cooldown
 * per issuer. A discovery that failed is not retried before the cooldown has passed either.
 */
import * as jose from "jose";
import { fetchableUrl } from "./trust-input.ts";

type KeySet = ReturnType<typeof jose.createRemoteJWKSet>;
interface Discovered {
  at: number;
  result: Promise<KeySet>;
}

export class IssuerKeys {
  private sets = new Map<string, KeySet>();
  private discovered = new Map<string, Discovered>();

  constructor(private readonly cooldownMs: number) {}

  /** The key set of `issuer`, at `jwksUrl` when the trust rule names one. Rejects when it cannot be found. */
  keySet(issuer: string, jwksUrl: string | null): Promise<KeySet> {
    if (jwksUrl) return Promise.resolve(this.remote(jwksUrl));
    const d = this.discovered.get(issuer);
    if (d) return d.result;
    const result = this.discover(issuer);
    const entry = { at: Date.now(), result };
    this.discovered.set(issuer, entry);
    result.catch(() => {
      // Retried after the cooldown, not on every request.
      setTimeout(() => this.discovered.get(issuer) === entry && this.discovered.delete(issuer), this.cooldownMs).unref();
    });
    return result;
  }

  private remote(url: string): KeySet {
    let s = this.sets.get(url);
    if (!s) {
      s = jose.createRemoteJWKSet(new URL(url), { cooldownDuration: this.cooldownMs, timeoutDuration: 5000 });
      this.sets.set(url, s);
    }
    return s;
  }

  private async discover(issuer: string): Promise<KeySet> {
    const base = issuer.replace(/\/$/, "");
    const r = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), redirect: "error" });
    if (!r.ok) throw new Error(`the discovery document of ${issuer} answered ${r.status}`);
    const doc = (await r.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer !== "string" || doc.issuer.replace(/\/$/, "") !== base) throw new Error(`the discovery document of ${issuer} names another issuer`);
    if (typeof doc.jwks_uri !== "string" || !fetchableUrl(doc.jwks_uri)) throw new Error(`the discovery document of ${issuer} has no usable jwks_uri`);
    return this.remote(doc.jwks_uri);
  }
}
