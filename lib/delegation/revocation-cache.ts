/**
 * Is a delegation (or any delegation it descends from) revoked? A delegation's lineage — its id and
 * its ancestors' ids, its actor and session — never changes, so it is cached for good; revocation
 * statuses are cached until the change feed reports a change to that delegation (`delegations:<id>`,
 * from the trigger on revoked_at), so a revocation on any node is seen on every node within a second.
 * Checking the ancestors too (not only the cascaded rows) closes the race of a child issued while its
 * parent was being revoked.
 */
import type pg from "pg";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { MAX_DEPTH } from "./act-chain.ts";
import type { DelegationBudget } from "./budget.ts";

export interface DelegationRecord {
  id: string;
  /** This delegation first, then its parent, up to the first hop. */
  lineage: string[];
  agentId: string;
  sessionId: string | null;
  /** The call budgets in the lineage (lib/delegation/budget.ts): immutable, like the rest. */
  budgets: DelegationBudget[];
}

export type RevocationCheck = { ok: true; record: DelegationRecord } | { ok: false; message: string };

const MAX_ENTRIES = 100_000;

type LineageRow = Row<"delegations", "id" | "agent_id" | "session_id" | "max_calls"> & { revoked: boolean };

/** A delegation and its ancestors, itself first (also read by the token exchange, in its transaction). */
export async function loadLineage(id: string, db: pg.Pool | pg.PoolClient = getPool()): Promise<LineageRow[]> {
  const r = await db.query<LineageRow>(
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, agent_id, session_id, revoked_at, max_calls, 0 AS lvl FROM delegations WHERE id = $1
       UNION ALL
       SELECT d.id, d.parent_id, d.agent_id, d.session_id, d.revoked_at, d.max_calls, up.lvl + 1
         FROM delegations d JOIN up ON d.id = up.parent_id WHERE up.lvl < $2)
     SELECT id, agent_id, session_id, max_calls, revoked_at IS NOT NULL AS revoked FROM up ORDER BY lvl`,
    [id, MAX_DEPTH + 1],
  );
  return r.rows;
}

export function lineageBudgets(rows: ReadonlyArray<Pick<LineageRow, "id" | "max_calls">>): DelegationBudget[] {
  return rows.flatMap((r) => (r.max_calls === null ? [] : [{ id: r.id, maxCalls: r.max_calls }]));
}

async function loadStatuses(ids: string[]): Promise<Map<string, boolean>> {
  const r = await getPool().query<Row<"delegations", "id"> & { revoked: boolean }>(
    `SELECT id, revoked_at IS NOT NULL AS revoked FROM delegations WHERE id = ANY($1)`,
    [ids],
  );
  const m = new Map<string, boolean>(ids.map((id) => [id, true])); // a vanished row counts as revoked
  for (const row of r.rows) m.set(row.id, row.revoked);
  return m;
}

export class RevocationCache {
  private records = new Map<string, DelegationRecord>();
  private revoked = new Map<string, boolean>();
  /** Bumped on every invalidation: a load that raced with one is used once but not cached. */
  private generation = 0;

  invalidate(id: string): void {
    this.revoked.delete(id);
    this.generation++;
  }

  clear(): void {
    this.revoked.clear();
    this.generation++;
  }

  async check(id: string): Promise<RevocationCheck> {
    const gen = this.generation;
    let record = this.records.get(id);
    const statuses = new Map<string, boolean>();
    if (!record) {
      const rows = await loadLineage(id);
      if (!rows.length) return { ok: false, message: "delegation token is unknown to Mandate" };
      record = { id, lineage: rows.map((r) => r.id), agentId: rows[0].agent_id, sessionId: rows[0].session_id, budgets: lineageBudgets(rows) };
      if (this.records.size >= MAX_ENTRIES) this.records.clear();
      this.records.set(id, record);
      for (const r of rows) statuses.set(r.id, r.revoked);
    } else {
      const missing = record.lineage.filter((x) => !this.revoked.has(x));
      if (missing.length) for (const [k, v] of await loadStatuses(missing)) statuses.set(k, v);
    }
    if (gen === this.generation) {
      if (this.revoked.size >= MAX_ENTRIES) this.revoked.clear();
      for (const [k, v] of statuses) this.revoked.set(k, v);
    }
    const isRevoked = (x: string) => statuses.get(x) ?? this.revoked.get(x) ?? true;
    const hit = record.lineage.find(isRevoked);
    if (hit === id) return { ok: false, message: "delegation token was revoked" };
    if (hit) return { ok: false, message: `delegation token was revoked (the delegation it came from, ${hit}, was revoked)` };
    return { ok: true, record };
  }
}
