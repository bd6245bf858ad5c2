/**
 * Resolves presented credentials (agent API keys, personal API tokens) to principals, with an
 * in-memory cache invalidated through the change feed, so that a revoked key, a suspended agent or a
 * disabled user is refused on the next request on every node. Last-used times and addresses are written in
 * batches, off the request path (UsageLog).
 */
import type { IncomingMessage } from "node:http";
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import { credentialKind, credentialShapeKind, hashCredential } from "../crypto/keys.ts";
import { BoundedCache } from "../util/bounded-cache.ts";
import { UsageLog } from "./usage-log.ts";

export type Role = "admin" | "analyst" | "viewer";

export interface AgentPrincipal {
  kind: "agent";
  agentId: string;
  name: string;
  team: string | null;
  owner: string | null;
  environment: string | null;
  suspended: { at: string; reason: string | null } | null;
  keyId: string;
  /** A DPoP-bound federated access token (RFC 9449): the thumbprint of its key; every use needs a proof of it. */
  dpopJkt?: string;
}

export interface UserPrincipal {
  kind: "user";
  userId: string;
  email: string;
  role: Role;
  keyId?: string;
}

export type Principal = AgentPrincipal | UserPrincipal;

export type AuthFailure = "missing" | "malformed" | "unknown" | "revoked" | "expired" | "disabled";
export type AuthResult = { ok: true; principal: Principal } | { ok: false; failure: AuthFailure };

interface CacheEntry {
  principal: Principal | null; // null: no such credential
  expiresAt: number | null;
  revoked: boolean;
  disabled: boolean;
  loadedAt: number;
}

/** An unknown credential is looked up again after this long (it may have been created since). */
const NEGATIVE_TTL_MS = 5_000;
/** Bounds: made-up keys (a flood of them) hold at most MAX_UNKNOWN entries. */
const MAX_KNOWN = 100_000;
const MAX_UNKNOWN = 4_096;

export class CredentialCache {
  /** Credentials that exist (valid or not), by hash. */
  private known = new BoundedCache<string, CacheEntry>(MAX_KNOWN);
  /** Hashes of credentials that do not exist, with when they were looked up. */
  private unknown = new BoundedCache<string, CacheEntry>(MAX_UNKNOWN);
  private usedKeys = new UsageLog();
  private usedTokens = new UsageLog();
  private timer: NodeJS.Timeout | null = null;

  constructor(flushEveryMs = 10_000) {
    this.timer = setInterval(() => void this.flushLastUsed(), flushEveryMs);
    this.timer.unref();
  }

  /** Entries held (known, unknown): both stay within their bounds. */
  get sizes(): { known: number; unknown: number } {
    return { known: this.known.size, unknown: this.unknown.size };
  }

  invalidate(table: string, key: string): void {
    if (table === "agent_keys" || table === "api_tokens" || table === "agent_access_tokens") {
      this.known.delete(key);
      this.unknown.delete(key);
    } else if (table === "agents") {
      this.known.deleteWhere((e) => e.principal?.kind === "agent" && e.principal.agentId === key);
    } else if (table === "users") {
      this.known.deleteWhere((e) => e.principal?.kind === "user" && e.principal.userId === key);
    }
  }

  clear(): void {
    this.known.clear();
    this.unknown.clear();
  }

  /** `req`: the request presenting it (its client address is kept as the key's last-used source). */
  async authenticate(secret: string | null | undefined, req?: IncomingMessage): Promise<AuthResult> {
    if (!secret) return { ok: false, failure: "missing" };
    // The shape first; the checksum only for a credential not held by its hash: every held one passed it
    // before it was looked up (the same hash: the same string), so a wrong checksum is still "malformed".
    const kind = credentialShapeKind(secret);
    if (!kind) return { ok: false, failure: "malformed" };
    const hash = hashCredential(secret);
    const now = Date.now();
    let entry = this.known.get(hash);
    if (!entry) {
      const neg = this.unknown.get(hash);
      if (!neg && credentialKind(secret) !== kind) return { ok: false, failure: "malformed" };
      if (neg && now - neg.loadedAt <= NEGATIVE_TTL_MS) return { ok: false, failure: "unknown" };
      // A load that raced with an invalidation is used once but not kept.
      const versions = [this.known.version, this.unknown.version] as const;
      entry = kind === "agent_key" ? await loadAgentKey(hash) : kind === "agent_token" ? await loadAccessToken(hash) : await loadToken(hash);
      if (entry.principal) this.known.setIfUnchanged(versions[0], hash, entry);
      else this.unknown.setIfUnchanged(versions[1], hash, entry);
    }
    if (!entry.principal) return { ok: false, failure: "unknown" };
    if (entry.revoked) return { ok: false, failure: "revoked" };
    if (entry.expiresAt !== null && entry.expiresAt <= now) return { ok: false, failure: "expired" };
    if (entry.disabled) return { ok: false, failure: "disabled" };
    if (kind === "agent_key") this.usedKeys.note(hash, req, now);
    else if (kind === "personal_token") this.usedTokens.note(hash, req, now);
    return { ok: true, principal: entry.principal };
  }

  async flushLastUsed(): Promise<void> {
    const keys = this.usedKeys.take();
    const tokens = this.usedTokens.take();
    try {
      const pool = getPool();
      if (keys) {
        await pool.query(
          `WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(hash, addr, at)),
                k AS (UPDATE agent_keys SET last_used_at = u.at, last_used_from = u.addr FROM u WHERE key_hash = u.hash RETURNING agent_id, u.at)
           UPDATE agents a SET last_seen_at = GREATEST(a.last_seen_at, s.at) FROM (SELECT agent_id, max(at) AS at FROM k GROUP BY agent_id) s WHERE a.id = s.agent_id`,
          keys,
        );
      }
      if (tokens) {
        await pool.query(
          `UPDATE api_tokens SET last_used_at = u.at, last_used_from = u.addr
             FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(hash, addr, at) WHERE token_hash = u.hash`,
          tokens,
        );
      }
    } catch {
      // Best effort: last-used times are informational; the next flush retries with new usage.
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

type AgentKeyRow = Row<"agent_keys", "key_id" | "expires_at" | "revoked_at"> &
  Row<"agents", "name" | "team" | "environment" | "suspended_at" | "suspended_reason" | "federated_only"> & {
    agent_id: Col<"agents", "id">;
    owner: Col<"users", "email"> | null;
  };

const AGENT_COLUMNS = `a.id AS agent_id, a.name, a.team, a.environment, a.suspended_at, a.suspended_reason, a.federated_only, u.email AS owner`;

async function loadAgentKey(hash: string): Promise<CacheEntry> {
  const r = await getPool().query<AgentKeyRow>(
    `SELECT k.key_id, k.expires_at, k.revoked_at, ${AGENT_COLUMNS}
       FROM agent_keys k JOIN agents a ON a.id = k.agent_id LEFT JOIN users u ON u.id = a.owner_id
      WHERE k.key_hash = $1`,
    [hash],
  );
  return agentEntry(r.rows[0]);
}

/**
 * A Mandate access token issued for a federated workload identity (lib/identity/federation): no
 * revocation column — removing its trust rule deletes it, and a deleted token is unknown.
 */
async function loadAccessToken(hash: string): Promise<CacheEntry> {
  const r = await getPool().query<AgentKeyRow & Row<"agent_access_tokens", "dpop_jkt">>(
    `SELECT t.key_id, t.expires_at, NULL::timestamptz AS revoked_at, t.dpop_jkt, ${AGENT_COLUMNS}
       FROM agent_access_tokens t JOIN agents a ON a.id = t.agent_id LEFT JOIN users u ON u.id = a.owner_id
      WHERE t.token_hash = $1`,
    [hash],
  );
  const entry = agentEntry(r.rows[0]);
  // A federated-only agent's static keys are refused (agentEntry); its access tokens are its credential.
  if (r.rows[0]) entry.revoked = false;
  if (entry.principal?.kind === "agent" && r.rows[0]?.dpop_jkt) entry.principal.dpopJkt = r.rows[0].dpop_jkt;
  return entry;
}

function agentEntry(row: AgentKeyRow | undefined): CacheEntry {
  const loadedAt = Date.now();
  if (!row) return { principal: null, expiresAt: null, revoked: false, disabled: false, loadedAt };
  return {
    principal: {
      kind: "agent",
      agentId: row.agent_id,
      name: row.name,
      team: row.team,
      owner: row.owner,
      environment: row.environment,
      suspended: row.suspended_at ? { at: new Date(row.suspended_at).toISOString(), reason: row.suspended_reason } : null,
      keyId: row.key_id,
    },
    expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
    // A federated-only agent authenticates only with federated access tokens (belt and braces: setting the
    // flag revokes its static keys).
    revoked: row.revoked_at !== null || row.federated_only,
    disabled: false,
    loadedAt,
  };
}

async function loadToken(hash: string): Promise<CacheEntry> {
  const r = await getPool().query<
    Row<"api_tokens", "key_id" | "expires_at" | "revoked_at"> & Row<"users", "email" | "role" | "disabled_at"> & { user_id: Col<"users", "id"> }
  >(
    `SELECT t.key_id, t.expires_at, t.revoked_at, u.id AS user_id, u.email, u.role, u.disabled_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
    [hash],
  );
  const row = r.rows[0];
  const loadedAt = Date.now();
  if (!row) return { principal: null, expiresAt: null, revoked: false, disabled: false, loadedAt };
  return {
    principal: { kind: "user", userId: row.user_id, email: row.email, role: row.role, keyId: row.key_id },
    expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
    revoked: row.revoked_at !== null,
    disabled: row.disabled_at !== null,
    loadedAt,
  };
}
