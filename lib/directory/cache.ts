/**
 * The directory as the AuthZEN mapping reads it: entities of a store held in memory (including
 * "not in the directory" answers), with attributes already converted to Cedar values. A change to a
 * store's directory is announced by NOTIFY (`directory_entities:<store>`) and drops that store's
 * entries on every node; a load that raced with a change is not cached.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { getPool } from "../db/pool.ts";
import type { Row, WithJson } from "../db/rows.ts";
import type { EntityRef } from "./entities.ts";
import { directoryRecord } from "./values.ts";

export interface CachedEntity {
  uid: EntityRef;
  attrs: Record<string, cedar.CedarValueJson>;
  parents: EntityRef[];
}

const MAX_PER_STORE = 100_000;
/** Ancestors added to one request at most (deep or wide hierarchies are cut here). */
export const MAX_ANCESTORS = 1000;

export const entityKey = (type: string, id: string) => `${type}\u0000${id}`;

type EntityRow = WithJson<Row<"directory_entities", "type" | "id" | "attrs" | "parents">, { attrs: Record<string, unknown> | null; parents: unknown }>;

function toCached(r: EntityRow): CachedEntity {
  const parents = Array.isArray(r.parents)
    ? (r.parents as EntityRef[]).filter((p) => p && typeof p.type === "string" && typeof p.id === "string").map((p) => ({ type: p.type, id: p.id }))
    : [];
  return { uid: { type: r.type, id: r.id }, attrs: directoryRecord(r.attrs ?? {}), parents };
}

export class DirectoryCache {
  private stores = new Map<string, Map<string, CachedEntity | null>>();
  private generations = new Map<string, number>();

  invalidate(storeId: string): void {
    this.stores.delete(storeId);
    this.generations.set(storeId, (this.generations.get(storeId) ?? 0) + 1);
  }

  clear(): void {
    for (const id of [...this.stores.keys()]) this.invalidate(id);
  }

  /** The directory entities among `uids` (absent ones are left out). */
  async lookup(storeId: string, uids: EntityRef[]): Promise<Map<string, CachedEntity>> {
    let store = this.stores.get(storeId);
    const found = new Map<string, CachedEntity>();
    const missing: EntityRef[] = [];
    for (const u of uids) {
      const k = entityKey(u.type, u.id);
      const hit = store?.get(k);
      if (hit) found.set(k, hit);
      else if (hit === undefined) missing.push(u);
    }
    if (!missing.length) return found;
    const gen = this.generations.get(storeId) ?? 0;
    const r = await getPool().query<EntityRow>(
      `SELECT d.type, d.id, d.attrs, d.parents FROM directory_entities d
         JOIN unnest($2::text[], $3::text[]) AS k(t, i) ON k.t = d.type AND k.i = d.id
        WHERE d.store_id = $1`,
      [storeId, missing.map((u) => u.type), missing.map((u) => u.id)],
    );
    const loaded = new Map<string, CachedEntity>();
    for (const row of r.rows) loaded.set(entityKey(row.type, row.id), toCached(row));
    const fresh = (this.generations.get(storeId) ?? 0) === gen;
    if (fresh) {
      store = this.stores.get(storeId);
      if (!store || store.size > MAX_PER_STORE) {
        store = new Map();
        this.stores.set(storeId, store);
      }
    }
    for (const u of missing) {
      const k = entityKey(u.type, u.id);
      const e = loaded.get(k) ?? null;
      if (fresh) store!.set(k, e);
      if (e) found.set(k, e);
    }
    return found;
  }

  /** The directory entities among `uids` and all their ancestors (breadth first, bounded). */
  async withAncestors(storeId: string, uids: EntityRef[]): Promise<Map<string, CachedEntity>> {
    const all = new Map<string, CachedEntity>();
    const asked = new Set<string>();
    let frontier = uids;
    while (frontier.length && all.size < MAX_ANCESTORS) {
      const next = frontier.filter((u) => !asked.has(entityKey(u.type, u.id)));
      for (const u of next) asked.add(entityKey(u.type, u.id));
      if (!next.length) break;
      const found = await this.lookup(storeId, next);
      frontier = [];
      for (const [k, e] of found) {
        if (all.size >= MAX_ANCESTORS) break;
        all.set(k, e);
        frontier.push(...e.parents);
      }
    }
    return all;
  }

  /** Search candidates: entities of one type in id order after `after` (remembered for the evaluations). */
  async candidates(storeId: string, type: string, after: string | null, limit: number): Promise<CachedEntity[]> {
    const gen = this.generations.get(storeId) ?? 0;
    const r = await getPool().query<EntityRow>(
      `SELECT type, id, attrs, parents FROM directory_entities
        WHERE store_id = $1 AND type = $2 AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4`,
      [storeId, type, after, limit],
    );
    const list = r.rows.map(toCached);
    if ((this.generations.get(storeId) ?? 0) === gen) {
      let store = this.stores.get(storeId);
      if (!store || store.size > MAX_PER_STORE) this.stores.set(storeId, (store = new Map<string, CachedEntity | null>()));
      for (const e of list) store.set(entityKey(e.uid.type, e.uid.id), e);
    }
    return list;
  }
}
