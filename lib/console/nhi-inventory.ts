/**
 * The NHI inventory (issue 20 §2): what posture tools show about non-human identities, each finding with
 * the action that fixes it — agents without an owner, owners who left (disabled users owning agents),
 * static keys older than N days, unused for N days, about to expire or never expiring, agents unused for
 * N days, static keys on agents that have federation trust rules, and keys revoked on leak reports.
 * Each list is capped at LIMIT rows (the page says when a list was cut).
 */
import { getPool } from "../db/pool.ts";
import { iso } from "./format.ts";
import { NEAR_EXPIRY_DAYS } from "./agents-list.ts";

export const LIMIT = 200;

export interface NhiKey {
  kind: "agent_key" | "personal_token" | "pep_key";
  keyId: string;
  /** The agent's name, the user's email or the PEP key's store. */
  owner: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

export interface NhiAgent {
  name: string;
  owner: string | null;
  lastSeenAt: string | null;
  createdAt: string;
}

export interface NhiLeak {
  at: string;
  keyId: string;
  kind: string;
  owner: string;
  reporter: string;
  url: string | null;
}

export interface NhiInventory {
  days: number;
  nearExpiryDays: number;
  noOwner: NhiAgent[];
  disabledOwner: NhiAgent[];
  unusedAgents: NhiAgent[];
  oldKeys: NhiKey[];
  unusedKeys: NhiKey[];
  expiringKeys: NhiKey[];
  neverExpiring: NhiKey[];
  federable: NhiKey[];
  leaks: NhiLeak[];
}

interface KeyRow {
  kind: NhiKey["kind"];
  key_id: string;
  owner: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_from: string | null;
  federable: boolean;
}

const ACTIVE = "x.revoked_at IS NULL AND (x.expires_at IS NULL OR x.expires_at > now())";
const KEYS = `
  SELECT 'agent_key' AS kind, x.key_id, a.name AS owner, x.created_at, x.expires_at, x.last_used_at, x.last_used_from,
         EXISTS (SELECT 1 FROM agent_trust_rules t WHERE t.agent_id = a.id) AS federable
    FROM agent_keys x JOIN agents a ON a.id = x.agent_id WHERE ${ACTIVE}
  UNION ALL
  SELECT 'personal_token', x.key_id, u.email, x.created_at, x.expires_at, x.last_used_at, x.last_used_from, false
    FROM api_tokens x JOIN users u ON u.id = x.user_id WHERE ${ACTIVE}
  UNION ALL
  SELECT 'pep_key', x.key_id, x.store_id, x.created_at, x.expires_at, x.last_used_at, x.last_used_from, false
    FROM pep_keys x WHERE ${ACTIVE}`;

const key = (r: KeyRow): NhiKey => ({
  kind: r.kind,
  keyId: r.key_id,
  owner: r.owner,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  lastUsedFrom: r.last_used_from,
});

export async function nhiInventory(days: number, now = Date.now()): Promise<NhiInventory> {
  const pool = getPool();
  const cutoff = new Date(now - days * 86_400_000);
  const soon = now + NEAR_EXPIRY_DAYS * 86_400_000;
  const [keys, agents, leaks] = await Promise.all([
    pool.query<KeyRow>(`${KEYS} ORDER BY created_at LIMIT 5000`),
    pool.query<{ name: string; owner: string | null; owner_disabled: boolean; last_seen_at: Date | null; created_at: Date }>(
      `SELECT a.name, u.email AS owner, u.disabled_at IS NOT NULL AS owner_disabled, a.last_seen_at, a.created_at
         FROM agents a LEFT JOIN users u ON u.id = a.owner_id WHERE a.suspended_at IS NULL ORDER BY a.name LIMIT 5000`,
    ),
    pool.query<{ created_at: Date; data: { key_id: string; kind: string; owner: string; reporter: string; url: string | null } }>(
      `SELECT created_at, data FROM audit_entries WHERE kind = 'admin' AND action = 'key.leak_revoke' AND created_at > now() - interval '30 days'
        ORDER BY created_at DESC LIMIT ${LIMIT}`,
    ),
  ]);
  const ks = keys.rows;
  const cap = <T>(list: T[]) => list.slice(0, LIMIT);
  const agent = (r: (typeof agents.rows)[number]): NhiAgent => ({
    name: r.name,
    owner: r.owner,
    lastSeenAt: iso(r.last_seen_at),
    createdAt: iso(r.created_at)!,
  });
  const unused = (created: Date, lastUsed: Date | null) => created < cutoff && (lastUsed === null || lastUsed < cutoff);
  return {
    days,
    nearExpiryDays: NEAR_EXPIRY_DAYS,
    noOwner: cap(agents.rows.filter((r) => r.owner === null).map(agent)),
    disabledOwner: cap(agents.rows.filter((r) => r.owner_disabled).map(agent)),
    unusedAgents: cap(agents.rows.filter((r) => unused(r.created_at, r.last_seen_at)).map(agent)),
    oldKeys: cap(ks.filter((r) => r.created_at < cutoff).map(key)),
    unusedKeys: cap(ks.filter((r) => unused(r.created_at, r.last_used_at)).map(key)),
    expiringKeys: cap(ks.filter((r) => r.expires_at !== null && r.expires_at.getTime() < soon).map(key)),
    neverExpiring: cap(ks.filter((r) => r.expires_at === null).map(key)),
    federable: cap(ks.filter((r) => r.federable).map(key)),
    leaks: leaks.rows.map((r) => ({
      at: iso(r.created_at)!,
      keyId: r.data.key_id,
      kind: r.data.kind,
      owner: r.data.owner,
      reporter: r.data.reporter,
      url: r.data.url,
    })),
  };
}
