/**
 * Agents for the console: the list with key health flags (keys near expiry, keys unused for 30 days,
 * agents without an owner), and one agent with its keys.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import type { Page, TableDefinition, TableState } from "./table/definition.ts";
import { containsPattern, runKeyset, type KeysetSource } from "./table/keyset.ts";
import { iso } from "./format.ts";

export const NEAR_EXPIRY_DAYS = 14;
export const UNUSED_DAYS = 30;

export type AgentFlag = "no_owner" | "key_near_expiry" | "key_unused" | "no_active_key" | "suspended";

export interface AgentRow {
  id: string;
  name: string;
  owner: string | null;
  team: string | null;
  description: string | null;
  suspended: boolean;
  lastSeenAt: string | null;
  createdAt: string;
  activeKeys: number;
  flags: AgentFlag[];
}

// Per agent: active keys, and whether any of them is near expiry or unused for UNUSED_DAYS.
const KEYS = `(SELECT count(*) FILTER (WHERE k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())) AS active,
                      bool_or(k.revoked_at IS NULL AND k.expires_at > now() AND k.expires_at < now() + interval '${NEAR_EXPIRY_DAYS} days') AS near_expiry,
                      bool_or(k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND k.created_at < now() - interval '${UNUSED_DAYS} days'
                              AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '${UNUSED_DAYS} days')) AS unused
                 FROM agent_keys k WHERE k.agent_id = a.id)`;

const FLAG_SQL: Record<AgentFlag, string> = {
  no_owner: "a.owner_id IS NULL",
  key_near_expiry: "ks.near_expiry",
  key_unused: "ks.unused",
  no_active_key: "ks.active = 0",
  suspended: "a.suspended_at IS NOT NULL",
};

export const FLAG_LABELS: Record<AgentFlag, string> = {
  no_owner: "no owner",
  key_near_expiry: `key expires within ${NEAR_EXPIRY_DAYS} days`,
  key_unused: `key unused for ${UNUSED_DAYS}+ days`,
  no_active_key: "no active key",
  suspended: "suspended",
};

export async function agentsTableDefinition(): Promise<TableDefinition> {
  const r = await getPool().query<{ teams: string[] }>(
    `SELECT COALESCE(array_agg(DISTINCT team ORDER BY team) FILTER (WHERE team IS NOT NULL), '{}') AS teams FROM agents`,
  );
  return {
    id: "agents",
    filters: [
      { id: "team", label: "Team", kind: "select", options: r.rows[0].teams.map((t) => ({ value: t, label: t })) },
      {
        id: "flag",
        label: "Needs attention",
        kind: "select",
        options: (Object.keys(FLAG_LABELS) as AgentFlag[]).map((f) => ({ value: f, label: FLAG_LABELS[f] })),
      },
    ],
    sorts: [
      { id: "name", label: "Agent", firstDir: "asc" },
      { id: "lastSeen", label: "Last seen" },
      { id: "created", label: "Registered" },
    ],
    defaultSort: { id: "name", dir: "asc" },
    search: { placeholder: "Search name, team, owner, description" },
    pageSize: 50,
  };
}

const source: KeysetSource = {
  select: `a.id, a.name, u.email AS owner, a.team, a.description, a.suspended_at, a.last_seen_at, a.created_at,
           ks.active, ks.near_expiry, ks.unused, a.owner_id`,
  from: `agents a LEFT JOIN users u ON u.id = a.owner_id CROSS JOIN LATERAL ${KEYS} ks`,
  id: { expr: "a.id", cast: "uuid" },
  sorts: {
    name: { expr: "a.name", type: "text" },
    lastSeen: { expr: "COALESCE(a.last_seen_at, 'epoch'::timestamptz)", type: "timestamp" },
    created: { expr: "a.created_at", type: "timestamp" },
  },
  filters: {
    team: (v, b) => `a.team = ${b(v[0])}`,
    flag: (v) => FLAG_SQL[v[0] as AgentFlag] ?? "TRUE",
  },
  search: (q, b) => {
    const p = b(containsPattern(q));
    return `(a.name ILIKE ${p} OR a.team ILIKE ${p} OR u.email ILIKE ${p} OR a.description ILIKE ${p})`;
  },
};

export function flagsOf(r: {
  owner_id: string | null;
  suspended_at: Date | null;
  active: number;
  near_expiry: boolean | null;
  unused: boolean | null;
}): AgentFlag[] {
  const f: AgentFlag[] = [];
  if (r.suspended_at) f.push("suspended");
  if (!r.owner_id) f.push("no_owner");
  if (Number(r.active) === 0) f.push("no_active_key");
  if (r.near_expiry) f.push("key_near_expiry");
  if (r.unused) f.push("key_unused");
  return f;
}

type ListedAgent = Row<"agents", "id" | "name" | "team" | "description" | "suspended_at" | "last_seen_at" | "created_at" | "owner_id"> & {
  owner: Col<"users", "email"> | null;
  active: number;
  near_expiry: boolean | null;
  unused: boolean | null;
};

export async function listAgents(state: TableState, pageSize: number): Promise<Page<AgentRow>> {
  const page = await runKeyset<ListedAgent>(getPool(), source, state, pageSize);
  return {
    ...page,
    rows: page.rows.map((r) => ({
      id: r.id,
      name: r.name,
      owner: r.owner,
      team: r.team,
      description: r.description,
      suspended: !!r.suspended_at,
      lastSeenAt: iso(r.last_seen_at),
      createdAt: iso(r.created_at)!,
      activeKeys: Number(r.active),
      flags: flagsOf(r),
    })),
  };
}
