/**
 * The directory (PIP) of a policy store: entities with attributes and parents, which the AuthZEN
 * mapping adds to a request when the PEP does not send them. Edited through the API
 * (lib/http/routes/directory.ts) and imported from JSON by `mandate directory import`; every change is
 * an admin action with its audit entry.
 *
 * Import accepts Mandate's format `{"entities": [{type, id, attrs, parents: [{type, id}]}]}`, a bare
 * array of those, or Cedar's entities JSON `[{uid: {type, id}, attrs, parents}]`.
 */
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool, type Queryable } from "../db/pool.ts";
import { MandateError, fromZod, notFound } from "../errors.ts";
import { DIRECTORY_DELETE_ENTRY, DIRECTORY_IMPORT_ENTRY, DIRECTORY_PUT_ENTRY } from "../audit/entries/index.ts";
import type { Row, WithJson } from "../db/rows.ts";

export const ENTITY_TYPE_RE = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/;
const entityType = z.string().min(1).max(200).regex(ENTITY_TYPE_RE, "a Cedar entity type name (letters, digits, _ and ::)");
const entityId = z
  .string()
  .min(1)
  .max(1000)
  .refine((s) => s.isWellFormed(), "must be well-formed Unicode");
export const entityRef = z.object({ type: entityType, id: entityId });
export type EntityRef = z.infer<typeof entityRef>;

const uidForm = z.union([entityRef, z.object({ __entity: entityRef }).transform((x) => x.__entity)]);
const attrs = z.record(z.string().max(200), z.unknown()).default({});
const parents = z.array(uidForm).max(200).default([]);

export const entityInput = z.union([
  z.object({ type: entityType, id: entityId, attrs, parents }),
  z.object({ uid: uidForm, attrs, parents }).transform((e) => ({ type: e.uid.type, id: e.uid.id, attrs: e.attrs, parents: e.parents })),
]);
export type DirectoryEntity = { type: string; id: string; attrs: Record<string, unknown>; parents: EntityRef[] };

export const MAX_IMPORT = 200_000;
export const importFile = z.union([
  z.object({ entities: z.array(z.unknown()).max(MAX_IMPORT) }).transform((x) => x.entities),
  z.array(z.unknown()).max(MAX_IMPORT),
]);

/** Parses an import document into entities; a problem names the entity index. */
export function parseEntities(doc: unknown): DirectoryEntity[] {
  const list = importFile.safeParse(doc);
  if (!list.success) throw new MandateError(400, "invalid_request", 'expected {"entities": [...]} or an array of entities');
  const out: DirectoryEntity[] = [];
  const seen = new Set<string>();
  list.data.forEach((raw, i) => {
    const r = entityInput.safeParse(raw);
    if (!r.success) throw fromZod(r.error, `entities.${i}`);
    const k = `${r.data.type}\u0000${r.data.id}`;
    if (seen.has(k)) throw new MandateError(400, "invalid_request", `entities.${i}: ${r.data.type}::"${r.data.id}" appears twice`);
    seen.add(k);
    out.push(r.data);
  });
  return out;
}

async function requireStore(q: Queryable, storeId: string): Promise<void> {
  const r = await q.query("SELECT 1 FROM policy_stores WHERE id = $1", [storeId]);
  if (!r.rowCount) throw notFound(`policy store ${storeId}`);
}

const CHUNK = 1000;

async function upsertMany(q: Queryable, storeId: string, list: DirectoryEntity[]): Promise<void> {
  for (let i = 0; i < list.length; i += CHUNK) {
    const part = list.slice(i, i + CHUNK);
    await q.query(
      `INSERT INTO directory_entities (store_id, type, id, attrs, parents, updated_at)
       SELECT $1, t, i, a, p, now() FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[]) AS x(t, i, a, p)
       ON CONFLICT (store_id, type, id) DO UPDATE SET attrs = EXCLUDED.attrs, parents = EXCLUDED.parents, updated_at = now()`,
      [storeId, part.map((e) => e.type), part.map((e) => e.id), part.map((e) => JSON.stringify(e.attrs)), part.map((e) => JSON.stringify(e.parents))],
    );
  }
}

export interface ImportResult {
  store: string;
  mode: "merge" | "replace";
  imported: number;
  removed: number;
  types: Record<string, number>;
}

/** Imports entities into a store's directory: `merge` upserts them, `replace` also removes every other entity. */
export async function importEntities(
  rt: NodeContext,
  storeId: string,
  entities: DirectoryEntity[],
  actor: string,
  mode: "merge" | "replace" = "merge",
): Promise<ImportResult> {
  return adminAction(rt, async (tx) => {
    await requireStore(tx, storeId);
    let removed = 0;
    if (mode === "replace") {
      const r = await tx.query(
        `DELETE FROM directory_entities d WHERE d.store_id = $1
           AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS k(t, i) WHERE k.t = d.type AND k.i = d.id)`,
        [storeId, entities.map((e) => e.type), entities.map((e) => e.id)],
      );
      removed = r.rowCount ?? 0;
    }
    await upsertMany(tx, storeId, entities);
    const types: Record<string, number> = {};
    for (const e of entities) types[e.type] = (types[e.type] ?? 0) + 1;
    const result: ImportResult = { store: storeId, mode, imported: entities.length, removed, types };
    return { result, audit: DIRECTORY_IMPORT_ENTRY.entry({ actor, data: { ...result } }) };
  });
}

export async function putEntity(rt: NodeContext, storeId: string, entity: DirectoryEntity, actor: string): Promise<DirectoryEntity> {
  return adminAction(rt, async (tx) => {
    await requireStore(tx, storeId);
    await upsertMany(tx, storeId, [entity]);
    return { result: entity, audit: DIRECTORY_PUT_ENTRY.entry({ actor, data: { store: storeId, type: entity.type, id: entity.id, parents: entity.parents } }) };
  });
}

export async function deleteEntity(rt: NodeContext, storeId: string, type: string, id: string, actor: string): Promise<void> {
  await adminAction(rt, async (tx) => {
    const r = await tx.query("DELETE FROM directory_entities WHERE store_id = $1 AND type = $2 AND id = $3", [storeId, type, id]);
    if (!r.rowCount) throw notFound(`directory entity ${type}::"${id}" in store ${storeId}`);
    return { result: null, audit: DIRECTORY_DELETE_ENTRY.entry({ actor, data: { store: storeId, type, id } }) };
  });
}

type EntityRow = WithJson<
  Row<"directory_entities", "type" | "id" | "attrs" | "parents">,
  { attrs: Record<string, unknown> | null; parents: EntityRef[] | null }
>;

function rowToEntity(r: EntityRow): DirectoryEntity {
  return { type: r.type, id: r.id, attrs: r.attrs ?? {}, parents: r.parents ?? [] };
}

export async function getEntity(storeId: string, type: string, id: string): Promise<DirectoryEntity> {
  const r = await getPool().query<EntityRow>("SELECT type, id, attrs, parents FROM directory_entities WHERE store_id = $1 AND type = $2 AND id = $3", [
    storeId,
    type,
    id,
  ]);
  if (!r.rowCount) throw notFound(`directory entity ${type}::"${id}" in store ${storeId}`);
  return rowToEntity(r.rows[0]);
}

/** One page of a store's directory, ordered by (type, id); `after` is the last (type, id) seen. */
export async function listEntities(
  storeId: string,
  opts: { type?: string; after?: EntityRef; limit?: number } = {},
): Promise<{ entities: DirectoryEntity[]; next: EntityRef | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const r = await getPool().query<EntityRow>(
    `SELECT type, id, attrs, parents FROM directory_entities
      WHERE store_id = $1 AND ($2::text IS NULL OR type = $2)
        AND ($3::text IS NULL OR (type, id) > ($3::text, $4::text))
      ORDER BY type, id LIMIT $5`,
    [storeId, opts.type ?? null, opts.after?.type ?? null, opts.after?.id ?? "", limit + 1],
  );
  const rows = r.rows.slice(0, limit).map(rowToEntity);
  const last = rows[rows.length - 1];
  return { entities: rows, next: r.rows.length > limit && last ? { type: last.type, id: last.id } : null };
}
