/**
 * The acting agent of an AuthZEN MCP-profile request, looked up by name (or id). On AuthZEN paths the
 * caller is a PEP that may ask about any agent; the agent is the Cedar principal of the MCP store.
 */
import { getPool } from "../db/pool.ts";
import type { Col, Row } from "../db/rows.ts";
import { PromiseCache } from "../util/promise-cache.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";

export type KnownAgent = Omit<AgentPrincipal, "keyId">;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX = 10_000;

export class AgentLookup {
  private byRef = new PromiseCache<KnownAgent | null>({ max: MAX });

  clear(): void {
    this.byRef.clear();
  }

  get(ref: string): Promise<KnownAgent | null> {
    return this.byRef.get(ref, () => load(ref));
  }
}

async function load(ref: string): Promise<KnownAgent | null> {
  const r = await getPool().query<
    Row<"agents", "id" | "name" | "team" | "environment" | "suspended_at" | "suspended_reason"> & { owner: Col<"users", "email"> | null }
  >(
    `SELECT a.id, a.name, a.team, a.environment, a.suspended_at, a.suspended_reason, u.email AS owner
       FROM agents a LEFT JOIN users u ON u.id = a.owner_id
      WHERE a.name = $1 OR ($2::boolean AND a.id::text = $1)`,
    [ref, UUID_RE.test(ref)],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    kind: "agent",
    agentId: row.id,
    name: row.name,
    team: row.team,
    owner: row.owner,
    environment: row.environment,
    suspended: row.suspended_at ? { at: new Date(row.suspended_at).toISOString(), reason: row.suspended_reason } : null,
  };
}
