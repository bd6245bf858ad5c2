/**
 * PEP keys: how a policy enforcement point authenticates to the AuthZEN endpoints. A key is bound to
 * one policy store, is shown once (mnd_pep_<key id>_<secret>), and only its SHA-256 is stored. The
 * cache is invalidated through the change feed (`pep_keys:<id>`), so a revoked key is refused on every
 * node at the next request.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { hashCredential, keyKind, newKey } from "../crypto/keys.ts";
import { getPool } from "../db/pool.ts";
import { db } from "../db/prisma.ts";
import type { Row } from "../db/rows.ts";
import { BoundedCache } from "../util/bounded-cache.ts";
import { keyExpiry, overlapEnd } from "../identity/key-lifetime.ts";
import { UsageLog } from "../identity/usage-log.ts";
import { notFound } from "../errors.ts";
import { PEP_KEY_CREATE_ENTRY, PEP_KEY_REVOKE_ENTRY, PEP_KEY_ROTATE_ENTRY } from "../audit/entries/index.ts";

export interface PepPrincipal {
  id: string;
  keyId: string;
  storeId: string;
  name: string;
}

/** A PEP key's shape (with a valid checksum where it carries one: lib/crypto/keys.ts). */
export function isPepKeyShape(secret: string): boolean {
  return keyKind(secret) === "pep_key";
}

export function newPepKey(): { secret: string; keyId: string; hash: string } {
  return newKey("pep_key");
}

/**
 * `expiresInDays` undefined: the default lifetime; null ("never") or beyond the maximum: 400
 * (lib/identity/key-lifetime.ts). PEP keys stored without an expiry keep working; the NHI inventory flags them.
 */
export async function createPepKey(rt: NodeContext, storeId: string, name: string, actor: string, expiresInDays?: number | null) {
  const expiresAt = keyExpiry("pep_key", expiresInDays);
  const key = newPepKey();
  const id = randomUUID();
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
        data: { store: storeId, name, key_id: key.keyId, expires_at: expiresAt.toISOString() },
      }),
    };
  });
  return { id, store: storeId, name, key_id: key.keyId, key: key.secret, expires_at: expiresAt.toISOString() };
}

/**
 * Rotation with an overlap window (as lib/identity/agents.ts rotateAgentKey): a new key for the same store
 * and name, and the old key expiring at now + `overlapSeconds` (never later than it would have; a key that
 * never expired gets that expiry too).
 */
export async function rotatePepKey(rt: NodeContext, keyId: string, actor: string, overlapSeconds?: number, expiresInDays?: number) {
  const now = Date.now();
  const expiresAt = keyExpiry("pep_key", expiresInDays, now);
  const key = newPepKey();
  return adminAction(rt, async (tx, orm) => {
    const old = await tx.query<Row<"pep_keys", "id" | "store_id" | "name" | "expires_at">>(
      `SELECT id, store_id, name, expires_at FROM pep_keys
        WHERE key_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) FOR UPDATE`,
      [keyId],
    );
    const k = old.rows[0];
    if (!k) throw notFound(`active PEP key ${keyId}`);
    const replacedExpiresAt = overlapEnd(k.expires_at, overlapSeconds, now);
    await orm(async (db) => {
      await db.pepKey.update({ where: { id: k.id }, data: { expiresAt: replacedExpiresAt }, select: { id: true } });
      await db.pepKey.create({
        data: { id: randomUUID(), storeId: k.store_id, name: k.name, keyId: key.keyId, keyHash: key.hash, createdBy: actor, expiresAt },
        select: { id: true },
      });
    });
    return {
      result: {
        store: k.store_id,
        name: k.name,
        key_id: key.keyId,
        key: key.secret,
        expires_at: expiresAt.toISOString(),
        replaces: { key_id: keyId, expires_at: replacedExpiresAt.toISOString() },
      },
      audit: PEP_KEY_ROTATE_ENTRY.entry({
        action: "pep_key.rotate",
        actor,
        data: {
          store: k.store_id,
          name: k.name,
          key_id: key.keyId,
          expires_at: expiresAt.toISOString(),
          replaces: keyId,
          replaced_expires_at: replacedExpiresAt.toISOString(),
        },
      }),
    };
  });
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
    last_used_from: x.lastUsedFrom,
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
  /** Last-used time and address, throttled and written in batches (lib/identity/usage-log.ts). */
  private used = new UsageLog();
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

  async authenticate(secret: string | null, req?: IncomingMessage): Promise<{ ok: true; pep: PepPrincipal } | { ok: false; failure: PepAuthFailure }> {
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
    this.used.note(hash, req, now);
    return { ok: true, pep: e.pep };
  }

  async flushLastUsed(): Promise<void> {
    const used = this.used.take();
    if (!used) return;
    await getPool()
      .query(
        `UPDATE pep_keys SET last_used_at = u.at, last_used_from = u.addr
           FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(hash, addr, at) WHERE key_hash = u.hash`,
        used,
      )
      .catch(() => {});
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
