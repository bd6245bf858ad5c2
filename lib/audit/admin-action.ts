/**
 * Admin actions (publish, approve, key create/revoke, suspend…) change state and append their audit
 * entry in ONE transaction: either both happen or neither. In the server they go to the node's admin
 * chain; in a CLI process, to a chain of that process.
 */
import { hostname } from "node:os";
import type pg from "pg";
import { onConnection, type TxDb } from "../db/prisma.ts";
import { runtimeOrNull, syncLocalChanges } from "../runtime/runtime.ts";
import { AuditChain } from "./chain.ts";
import type { AuditEntryInput } from "./hash.ts";

let processChain: AuditChain | null = null;

export function adminChain(): AuditChain {
  const rt = runtimeOrNull();
  if (rt) return rt.adminChain;
  processChain ??= new AuditChain(`cli:${hostname()}:${process.pid}`);
  return processChain;
}

export interface AdminAudit {
  action: string;
  /** e.g. "user:alice@example.com", "cli:root" */
  actor: string;
  kind?: AuditEntryInput["kind"];
  agent_id?: string | null;
  session_id?: string | null;
  tool?: string | null;
  decision_id?: string | null;
  outcome?: string | null;
  data: Record<string, unknown>;
}

/**
 * Runs Prisma calls on the admin action's own connection, in its transaction (lib/db/prisma.ts): what
 * they write commits, or rolls back, with the audit entry.
 */
export type Orm = <R>(fn: (db: TxDb) => Promise<R>) => Promise<R>;

/**
 * Runs `run` and appends its audit entries in one transaction on the admin chain. `run` writes through
 * `tx` (SQL) or `orm` (Prisma), both on that transaction's connection. When it returns,
 * the change is in force on this node (its caches applied every change committed so far: the change
 * feed's barrier), so that whoever made it can rely on it at once; other nodes follow within the
 * change feed's bound (docs/guarantees.md).
 */
export async function adminAction<T>(run: (tx: pg.PoolClient, orm: Orm) => Promise<{ result: T; audit: AdminAudit | AdminAudit[] }>): Promise<T> {
  const result = await adminChain().transaction(async (tx, append) => {
    const { result, audit } = await run(tx, (fn) => onConnection(tx, fn));
    const list = Array.isArray(audit) ? audit : [audit];
    if (!list.length) return result; // nothing changed, nothing to record
    const now = new Date().toISOString();
    await append(
      list.map((a) => ({
        kind: a.kind ?? "admin",
        action: a.action,
        actor: a.actor,
        agent_id: a.agent_id ?? null,
        session_id: a.session_id ?? null,
        tool: a.tool ?? null,
        decision_id: a.decision_id ?? null,
        outcome: a.outcome ?? null,
        created_at: now,
        data: a.data,
      })),
    );
    return result;
  });
  await syncLocalChanges();
  return result;
}
