/**
 * PEP keys: how a policy enforcement point authenticates to the AuthZEN endpoints. A key is bound to
 * one policy store, is shown once (mnd_pep_<key id>_<secret>), and only its SHA-256 is stored. The
 * cache is invalidated through the change feed (`pep_keys:<id>`), so a revoked key is refused on every
 * node at the next request.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { hashCredential } from "../crypto/keys.ts";
import { getPool } from "../db/pool.ts";
import { db } from "../db/prisma.ts";
import type { Row } from "../db/rows.ts";
import { BoundedCache } from "../util/bounded-cache.ts";
import { notFound } from "../errors.ts";
import { PEP_KEY_CREATE_ENTRY, PEP_KEY_REVOKE_ENTRY } from "../audit/entries/index.ts";

export const PEP_PREFIX = "mnd_pep_";
const SHAPE = /^mnd_pep_[a-z2-9]{8}_[A-Za-z0-9_-]{32}$/;
const ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";

export interface PepPrincipal {
  id: string;
  keyId: string;
  storeId: string;
  name: string;
}

export function isPepKeyShape(secret: string): boolean {
  return SHAPE.test(secret);
}

export function newPepKey(): { secret: string; keyId: string; hash: string } {
  const b = randomBytes(8);
  let rid = "";
  for (let i = 0; i < 8; i++) rid += ALPHABET[b[i] % ALPHABET.length];
  const keyId = `${PEP_PREFIX}${rid}`;
  const secret = `${keyId}_${randomBytes(24).toString("base64url")}`;
  return { secret, keyId, hash: hashCredential(secret) };
}

export async function createPepKey(rt: NodeContext, storeId: string, name: string, actor: string, expiresInDays: number | null = 365) {
  const key = newPepKey();
  const id = randomUUID();
  const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
  await adminAction(rt, async (_tx, orm) => {
    await orm(async (db) => {
      if (!(await db.policyStore.findUnique({ where: { id: storeId }, select: { id: true } }))) throw notFound(`policy store ${storeId}`);
      await db.pepKey.create({ data: { id, storeId, name, keyId: key.keyId, keyHash: key.hash, createdBy: actor, expiresAt }, select: { id: true } });
    });
    return {
      result: null,
      audit: PEP_KEY_CREATE_ENTRY.entry({
        action: "pep_key.create",
        actor,
        data: { store: storeId, name, key_id: key.keyId, expires_at: expiresAt?.toISOString() ?? null },
      }),
    };
  });
  return { id, store: storeId, name, key_id: key.keyId, key: key.secret, expires_at: expiresAt?.toISOString() ?? null };
}

export async function revokePepKey(rt: NodeContext, keyId: string, actor: string): Promise<void> {
  await adminAction(rt, async (_tx, orm) => {
    const [k] = await orm((db) =>
      db.pepKey.updateManyAndReturn({ where: { keyId, revokedAt: null }, data: { revokedAt: new Date() }, select: { storeId: true } }),
    );
    if (!k) throw notFound(`active PEP key ${keyId}`);
    return { result: null, audit: PEP_KEY_REVOKE_ENTRY.entry({ action: "pep_key.revoke", actor, data: { store: k.storeId, key_id: keyId } }) };
  });
}

export async function listPepKeys(storeId?: string) {
  const keys = await db().pepKey.findMany({ where: storeId === undefined ? {} : { storeId }, orderBy: { createdAt: "desc" } });
  return keys.map((x) => ({
    key_id: x.keyId,
    store: x.storeId,
    name: x.name,
    created_by: x.createdBy,
    created_at: x.createdAt.toISOString(),
    expires_at: x.expiresAt?.toISOString() ?? null,
    revoked_at: x.revokedAt?.toISOString() ?? null,
    last_used_at: x.lastUsedAt?.toISOString() ?? null,
  }));
}

export type PepAuthFailure = "missing" | "malformed" | "unknown" | "revoked" | "expired";

interface Entry {
  pep: PepPrincipal | null;
  expiresAt: number | null;
  revoked: boolean;
  loadedAt: number;
}

const NEGATIVE_TTL_MS = 5_000;
const MAX_KNOWN = 50_000;
const MAX_UNKNOWN = 4_096;

export class PepKeyCache {
  private known = new BoundedCache<string, Entry>(MAX_KNOWN);
  /** Made-up keys: bounded, so that a flood of them cannot grow the node. */
  private unknown = new BoundedCache<string, Entry>(MAX_UNKNOWN);
  private used = new Set<string>();
  private timer: NodeJS.Timeout;

  constructor(flushEveryMs = 10_000) {
    this.timer = setInterval(() => void this.flushLastUsed(), flushEveryMs);
    this.timer.unref();
  }

  /** `pep_keys:<row id>` from the change feed (a new key may also answer a cached "unknown"). */
  invalidate(rowId: string): void {
    this.known.deleteWhere((e) => e.pep?.id === rowId);
    this.unknown.clear();
  }

  clear(): void {
    this.known.clear();
    this.unknown.clear();
  }

  async authenticate(secret: string | null): Promise<{ ok: true; pep: PepPrincipal } | { ok: false; failure: PepAuthFailure }> {
    if (!secret) return { ok: false, failure: "missing" };
    if (!isPepKeyShape(secret)) return { ok: false, failure: "malformed" };
    const hash = hashCredential(secret);
    const now = Date.now();
    let e = this.known.get(hash);
    if (!e) {
      const neg = this.unknown.get(hash);
      if (neg && now - neg.loadedAt <= NEGATIVE_TTL_MS) return { ok: false, failure: "unknown" };
      const versions = [this.known.version, this.unknown.version] as const;
      const r = await getPool().query<Row<"pep_keys", "id" | "key_id" | "store_id" | "name" | "expires_at" | "revoked_at">>(
        "SELECT id, key_id, store_id, name, expires_at, revoked_at FROM pep_keys WHERE key_hash = $1",
        [hash],
      );
      const row = r.rows[0];
      e = row
        ? {
            pep: { id: row.id, keyId: row.key_id, storeId: row.store_id, name: row.name },
            expiresAt: row.expires_at ? row.expires_at.getTime() : null,
            revoked: row.revoked_at !== null,
            loadedAt: now,
          }
        : { pep: null, expiresAt: null, revoked: false, loadedAt: now };
      if (e.pep) this.known.setIfUnchanged(versions[0], hash, e);
      else this.unknown.setIfUnchanged(versions[1], hash, e);
    }
    if (!e.pep) return { ok: false, failure: "unknown" };
    if (e.revoked) return { ok: false, failure: "revoked" };
    if (e.expiresAt !== null && e.expiresAt <= now) return { ok: false, failure: "expired" };
    this.used.add(hash);
    return { ok: true, pep: e.pep };
  }

  async flushLastUsed(): Promise<void> {
    const hashes = [...this.used];
    this.used.clear();
    if (!hashes.length) return;
    await getPool()
      .query("UPDATE pep_keys SET last_used_at = now() WHERE key_hash = ANY($1)", [hashes])
      .catch(() => {});
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
