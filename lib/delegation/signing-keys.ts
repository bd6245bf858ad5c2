/**
 * Mandate's JWT signing keys (delegation tokens, receipts), shared by every node through the
 * signing_keys table; private keys are stored encrypted with the master key (so every node needs the
 * same MANDATE_MASTER_KEY). The newest unretired key signs. Rotation adds a key and retires the others;
 * retired keys stay published in the JWKS (and keep verifying) for RETIRED_KEY_RETENTION_S, longer than
 * any token lives, so rotation never invalidates an unexpired token. Other nodes learn of a new key via
 * the change feed (signing_keys trigger) or, failing that, when they meet an unknown `kid`.
 */
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { decryptSecret, encryptSecret } from "../crypto/master-key.ts";
import { getPool, withTransaction } from "../db/pool.ts";
import type { Row, WithJson } from "../db/rows.ts";
import { env } from "../env.ts";
import { SIGNING_KEY_ROTATE_ENTRY } from "../audit/entries/index.ts";

export const SIGNING_ALG = "EdDSA";
/** Longer than the longest delegation token (24 h) and receipt (60 s). */
export const RETIRED_KEY_RETENTION_S = 25 * 3600;
const ISSUER_SETTING = "jwt_issuer";
const KEY_LOCK = 727_274_003;
const RELOAD_MIN_INTERVAL_MS = 1000;

interface StoredKey {
  kid: string;
  alg: string;
  publicJwk: jose.JWK;
  privateJwkEnc: string;
  createdAt: number;
  retiredAt: number | null;
  publicKey?: jose.CryptoKey | Uint8Array;
  privateKey?: jose.CryptoKey | Uint8Array;
}

export interface SigningKey {
  kid: string;
  alg: string;
  key: jose.CryptoKey | Uint8Array;
}

async function newKeyRow(): Promise<{ kid: string; publicJwk: jose.JWK; privateJwkEnc: string }> {
  const { privateKey, publicKey } = await jose.generateKeyPair(SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  const kid = `mnd-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const privateJwkEnc = encryptSecret(JSON.stringify(await jose.exportJWK(privateKey)));
  return { kid, publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: "sig" }, privateJwkEnc };
}

export class SigningKeyStore {
  private keys = new Map<string, StoredKey>();
  private issuerValue = "";
  private stale = true;
  private loading: Promise<void> | null = null;
  private lastLoad = 0;

  get issuer(): string {
    return this.issuerValue;
  }

  /** Marks the key set stale (a key was added or retired on some node). */
  invalidate(): void {
    this.stale = true;
  }

  /** Loads the keys and the issuer; creates the first key (once, whichever node comes first). */
  async load(): Promise<void> {
    this.loading ??= this.doLoad().finally(() => (this.loading = null));
    return this.loading;
  }

  private async doLoad(): Promise<void> {
    this.stale = false;
    this.lastLoad = Date.now();
    await withTransaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [KEY_LOCK]);
      const fallback = env().MANDATE_PUBLIC_URL ?? `urn:mandate:${randomUUID()}`;
      await tx.query(`INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`, [
        ISSUER_SETTING,
        JSON.stringify(fallback),
      ]);
      const active = await tx.query(`SELECT 1 FROM signing_keys WHERE retired_at IS NULL LIMIT 1`);
      if (!active.rowCount) {
        const k = await newKeyRow();
        await tx.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at) VALUES ($1, $2, $3, $4, now())`, [
          k.kid,
          SIGNING_ALG,
          JSON.stringify(k.publicJwk),
          k.privateJwkEnc,
        ]);
      }
    });
    const pool = getPool();
    const iss = await pool.query<WithJson<Row<"settings", "value">, { value: string }>>(`SELECT value FROM settings WHERE key = $1`, [ISSUER_SETTING]);
    this.issuerValue = iss.rows[0].value;
    const r = await pool.query<
      WithJson<Row<"signing_keys", "kid" | "alg" | "public_jwk" | "private_jwk_enc" | "created_at" | "retired_at">, { public_jwk: jose.JWK }>
    >(
      `SELECT kid, alg, public_jwk, private_jwk_enc, created_at, retired_at FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY created_at DESC, kid`,
      [RETIRED_KEY_RETENTION_S],
    );
    const next = new Map<string, StoredKey>();
    for (const row of r.rows) {
      const prev = this.keys.get(row.kid);
      next.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        publicJwk: row.public_jwk,
        privateJwkEnc: row.private_jwk_enc,
        createdAt: new Date(row.created_at).getTime(),
        retiredAt: row.retired_at ? new Date(row.retired_at).getTime() : null,
        publicKey: prev?.publicKey,
        privateKey: prev?.privateKey,
      });
    }
    this.keys = next;
  }

  /** Loads the keys when stale (first use, or after a change-feed notification). */
  async ready(): Promise<void> {
    if (this.stale || this.keys.size === 0) await this.load();
  }

  /** The key that signs now: the newest unretired one. */
  async current(): Promise<SigningKey> {
    await this.ready();
    const k = [...this.keys.values()].filter((x) => x.retiredAt === null).sort((a, b) => b.createdAt - a.createdAt || a.kid.localeCompare(b.kid))[0];
    if (!k) throw new Error("no active signing key");
    if (!k.privateKey) {
      let jwk: jose.JWK;
      try {
        jwk = JSON.parse(decryptSecret(k.privateJwkEnc)) as jose.JWK; // written by this module, encrypted and authenticated
      } catch {
        throw new Error(`signing key ${k.kid} cannot be decrypted: every node must run with the same MANDATE_MASTER_KEY`);
      }
      k.privateKey = await jose.importJWK(jwk, k.alg);
    }
    return { kid: k.kid, alg: k.alg, key: k.privateKey };
  }

  /** The public key for a `kid` (reloading once, rate-limited, when the kid is unknown). */
  async verificationKey(kid: string | undefined): Promise<SigningKey | null> {
    await this.ready();
    if (!kid) return null;
    let k = this.keys.get(kid);
    if (!k && Date.now() - this.lastLoad >= RELOAD_MIN_INTERVAL_MS) {
      await this.load();
      k = this.keys.get(kid);
    }
    if (!k) return null;
    k.publicKey ??= await jose.importJWK(k.publicJwk, k.alg);
    return { kid: k.kid, alg: k.alg, key: k.publicKey };
  }

  /** The JWKS document (RFC 7517): every key that may still have signed an unexpired token. */
  async jwks(): Promise<{ keys: jose.JWK[] }> {
    await this.ready();
    return { keys: [...this.keys.values()].map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: "sig" })) };
  }
}

/** Adds a new signing key and retires the others (they keep verifying until tokens they signed expire). */
export async function rotateSigningKey(rt: NodeContext, actor: string): Promise<{ kid: string; retired: string[] }> {
  const k = await newKeyRow();
  return adminAction(rt, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [KEY_LOCK]);
    const retired = await tx.query<Row<"signing_keys", "kid">>(`UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING kid`);
    await tx.query(`INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_enc, created_at) VALUES ($1, $2, $3, $4, now())`, [
      k.kid,
      SIGNING_ALG,
      JSON.stringify(k.publicJwk),
      k.privateJwkEnc,
    ]);
    const list = retired.rows.map((r) => r.kid);
    return {
      result: { kid: k.kid, retired: list },
      audit: SIGNING_KEY_ROTATE_ENTRY.entry({ action: "signing_key.rotate", actor, data: { kid: k.kid, retired: list, alg: SIGNING_ALG } }),
    };
  });
}
