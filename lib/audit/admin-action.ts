/**
 * Admin actions (publish, approve, key create/revoke, suspend…) change state and append their audit
 * entry in ONE transaction: either both happen or neither. They go to the admin chain of where they
 * run (`rt`): the node's (a Runtime), or, in a process that runs no node (the CLI), that process's
 * (noNode()).
 */
import type pg from "pg";
import type { NodeContext } from "../runtime/runtime.ts";
import { entryAt, type EntryDraft } from "./entries/index.ts";
import { onConnection, type TxDb } from "../db/prisma.ts";

/** An admin action's audit entry, made by its builder in lib/audit/entries (docs/audit-format.md). */
export type AdminAudit = EntryDraft;

/**
 * Runs Prisma calls on the admin action's own connection, in its transaction (lib/db/prisma.ts): what
 * they write commits, or rolls back, with the audit entry.
 */
export type Orm = <R>(fn: (db: TxDb) => Promise<R>) => Promise<R>;

/**
 * Runs `run` and appends its audit entries in one transaction on rt's admin chain. `run` writes through
 * `tx` (SQL) or `orm` (Prisma), both on that transaction's connection. When it returns,
 * the change is in force on this node (its caches applied every change committed so far: the change
 * feed's barrier), so that whoever made it can rely on it at once; other nodes follow within the
 * change feed's bound (docs/guarantees.md).
 */
export async function adminAction<T>(
  rt: NodeContext,
  run: (tx: pg.PoolClient, orm: Orm) => Promise<{ result: T; audit: AdminAudit | AdminAudit[] }>,
): Promise<T> {
  const result = await rt.adminChain.transaction(async (tx, append) => {
    const { result, audit } = await run(tx, (fn) => onConnection(tx, fn));
    const list = Array.isArray(audit) ? audit : [audit];
    if (!list.length) return result; // nothing changed, nothing to record
    const now = new Date().toISOString();
    await append(list.map((a) => entryAt(a, now)));
    return result;
  });
  await rt.sync();
  return result;
}
