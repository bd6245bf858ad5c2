/**
 * What the AuthZEN mapping needs to know about a policy store, read from its Cedar schema once and
 * cached until the change feed announces `policy_stores:<id>`: its entity types (so that an AuthZEN
 * `type` can be resolved inside a namespaced schema), its actions with the types they apply to (action
 * search) and their groups (`action in Action::"group"` works without passing the schema to Cedar).
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { PromiseCache } from "../util/promise-cache.ts";
import { MCP_STORE_ID } from "../policy/publish.ts";
import type { EntityRef } from "../directory/entities.ts";

export interface StoreAction {
  name: string;
  principalTypes: string[];
  resourceTypes: string[];
  memberOf: EntityRef[];
}

export interface StoreInfo {
  id: string;
  name: string;
  kind: "mcp" | "generic";
  entityTypes: Set<string>;
  actionType: string;
  actions: StoreAction[];
}

type Ns = {
  entityTypes?: Record<string, unknown>;
  actions?: Record<string, { appliesTo?: { principalTypes?: string[]; resourceTypes?: string[] }; memberOf?: Array<{ id: string; type?: string }> }>;
};

/** Reads entity types and actions from a Cedar schema (JSON, or human-readable text). */
export function describeSchema(schema: unknown): Pick<StoreInfo, "entityTypes" | "actionType" | "actions"> {
  let json: Record<string, Ns> = {};
  if (typeof schema === "string") {
    const r = cedar.schemaToJson(schema);
    if (r.type === "success") json = r.json;
  } else if (schema && typeof schema === "object") json = schema as Record<string, Ns>;
  const entityTypes = new Set<string>();
  const actions: StoreAction[] = [];
  let actionType = "Action";
  for (const [ns, def] of Object.entries(json)) {
    const q = (t: string) => (ns && !t.includes("::") ? `${ns}::${t}` : t);
    for (const t of Object.keys(def?.entityTypes ?? {})) entityTypes.add(q(t));
    const acts = Object.entries(def?.actions ?? {});
    if (acts.length && ns) actionType = `${ns}::Action`;
    for (const [name, a] of acts) {
      actions.push({
        name,
        principalTypes: (a?.appliesTo?.principalTypes ?? []).map(q),
        resourceTypes: (a?.appliesTo?.resourceTypes ?? []).map(q),
        memberOf: (a?.memberOf ?? []).map((m) => ({ type: m.type ? q(m.type) : ns ? `${ns}::Action` : "Action", id: m.id })),
      });
    }
  }
  actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entityTypes, actionType, actions };
}

/** An AuthZEN type names a Cedar type as is, or, when unambiguous, the same name in a namespace. */
export function resolveType(store: Pick<StoreInfo, "entityTypes">, type: string): string {
  if (store.entityTypes.has(type) || type.includes("::")) return type;
  const hits = [...store.entityTypes].filter((t) => t.endsWith(`::${type}`));
  return hits.length === 1 ? hits[0] : type;
}

/** The action's entity and its groups, so that `action in Action::"group"` evaluates. */
export function actionEntities(store: Pick<StoreInfo, "actions" | "actionType">, name: string): cedar.EntityJson[] {
  const byName = new Map(store.actions.map((a) => [a.name, a]));
  const out: cedar.EntityJson[] = [];
  const seen = new Set<string>();
  const queue = [name];
  while (queue.length && out.length < 100) {
    const n = queue.shift()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const parents = byName.get(n)?.memberOf ?? [];
    out.push({ uid: { type: store.actionType, id: n }, attrs: {}, parents });
    for (const m of parents) if (m.type === store.actionType) queue.push(m.id);
  }
  return out;
}

export class StoreCache {
  private stores = new PromiseCache<StoreInfo | null>();

  get(id: string): Promise<StoreInfo | null> {
    return this.stores.get(id, () => this.load(id));
  }

  invalidate(id: string): void {
    this.stores.delete(id);
  }

  clear(): void {
    this.stores.clear();
  }

  private async load(id: string): Promise<StoreInfo | null> {
    const r = await getPool().query<Row<"policy_stores", "id" | "name" | "schema">>("SELECT id, name, schema FROM policy_stores WHERE id = $1", [id]);
    if (!r.rowCount) return null;
    const row = r.rows[0];
    if (id === MCP_STORE_ID) {
      const actions = ["tools/call", "tools/list"].map((name) => ({ name, principalTypes: ["Agent"], resourceTypes: ["Tool"], memberOf: [] }));
      return { id, name: row.name, kind: "mcp", entityTypes: new Set(["Agent", "Tool", "Team", "Server"]), actionType: "Action", actions };
    }
    return { id, name: row.name, kind: "generic", ...describeSchema(row.schema) };
  }
}
