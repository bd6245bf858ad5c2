/**
 * Agents and tools as policies see them (Cedar entities), loaded from the database for evaluations
 * outside the decision path: who-can-call, policy tests, what-if replay.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { ToolCache, type ToolInfo } from "../inventory/tool-cache.ts";

export async function loadAgents(limit = 10_000): Promise<AgentPrincipal[]> {
  const r = await getPool().query<
    Row<"agents", "id" | "name" | "team" | "environment" | "suspended_at" | "suspended_reason"> & { owner: Col<"users", "email"> | null }
  >(
    `SELECT a.id, a.name, a.team, a.environment, a.suspended_at, a.suspended_reason, u.email AS owner
       FROM agents a LEFT JOIN users u ON u.id = a.owner_id ORDER BY a.name LIMIT $1`,
    [limit],
  );
  return r.rows.map((a) => ({
    kind: "agent",
    agentId: a.id,
    name: a.name,
    team: a.team,
    owner: a.owner,
    environment: a.environment,
    suspended: a.suspended_at ? { at: new Date(a.suspended_at).toISOString(), reason: a.suspended_reason } : null,
    keyId: "",
  }));
}

export async function loadTools(): Promise<Map<string, ToolInfo>> {
  const tools = await new ToolCache().all();
  return new Map(tools.map((t) => [t.key, t]));
}

export function agentNamed(name: string, extra: Partial<AgentPrincipal> = {}): AgentPrincipal {
  return { kind: "agent", agentId: "", name, team: null, owner: null, environment: null, suspended: null, keyId: "", ...extra };
}
