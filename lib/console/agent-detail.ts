import { getPool } from "../db/pool.ts";
import { flagsOf, NEAR_EXPIRY_DAYS, UNUSED_DAYS, type AgentFlag } from "./agents-list.ts";
import { iso } from "./format.ts";

export interface AgentKeyRow {
  keyId: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: "active" | "revoked" | "expired";
  flags: Array<"near_expiry" | "unused">;
}

export interface AgentDetail {
  id: string;
  name: string;
  owner: string | null;
  team: string | null;
  description: string | null;
  environment: string | null;
  suspended: { at: string; reason: string | null } | null;
  createdAt: string;
  lastSeenAt: string | null;
  flags: AgentFlag[];
  keys: AgentKeyRow[];
}

const DAY = 86_400_000;

export function keyStatus(k: { revoked_at: Date | null; expires_at: Date | null; created_at: Date; last_used_at: Date | null }, now = Date.now()): Pick<AgentKeyRow, "status" | "flags"> {
  if (k.revoked_at) return { status: "revoked", flags: [] };
  const exp = k.expires_at ? new Date(k.expires_at).getTime() : null;
  if (exp !== null && exp <= now) return { status: "expired", flags: [] };
  const flags: AgentKeyRow["flags"] = [];
  if (exp !== null && exp - now < NEAR_EXPIRY_DAYS * DAY) flags.push("near_expiry");
  const lastUse = k.last_used_at ? new Date(k.last_used_at).getTime() : null;
  if (now - new Date(k.created_at).getTime() > UNUSED_DAYS * DAY && (lastUse === null || now - lastUse > UNUSED_DAYS * DAY)) flags.push("unused");
  return { status: "active", flags };
}

export async function getAgent(name: string): Promise<AgentDetail | null> {
  const pool = getPool();
  const r = await pool.query(
    `SELECT a.*, u.email AS owner FROM agents a LEFT JOIN users u ON u.id = a.owner_id WHERE a.name = $1`,
    [name],
  );
  const a = r.rows[0];
  if (!a) return null;
  const k = await pool.query(
    `SELECT key_id, created_at, expires_at, revoked_at, last_used_at FROM agent_keys WHERE agent_id = $1 ORDER BY created_at DESC`,
    [a.id],
  );
  const keys = k.rows.map((x) => ({
    keyId: x.key_id,
    createdAt: iso(x.created_at)!,
    expiresAt: iso(x.expires_at),
    revokedAt: iso(x.revoked_at),
    lastUsedAt: iso(x.last_used_at),
    ...keyStatus(x),
  }));
  const active = keys.filter((x) => x.status === "active");
  return {
    id: a.id,
    name: a.name,
    owner: a.owner,
    team: a.team,
    description: a.description,
    environment: a.environment,
    suspended: a.suspended_at ? { at: iso(a.suspended_at)!, reason: a.suspended_reason } : null,
    createdAt: iso(a.created_at)!,
    lastSeenAt: iso(a.last_seen_at),
    flags: flagsOf({
      owner_id: a.owner_id,
      suspended_at: a.suspended_at,
      active: active.length,
      near_expiry: active.some((x) => x.flags.includes("near_expiry")),
      unused: active.some((x) => x.flags.includes("unused")),
    }),
    keys,
  };
}

export async function userEmails(): Promise<string[]> {
  const r = await getPool().query(`SELECT email FROM users WHERE disabled_at IS NULL ORDER BY email LIMIT 1000`);
  return r.rows.map((x) => x.email);
}
