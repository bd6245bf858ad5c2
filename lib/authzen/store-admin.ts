/**
 * Policy stores as AuthZEN sees them: list, and create/update a non-MCP store with its Cedar schema
 * (JSON, or the human-readable format, stored as JSON). Changing a schema must not break the store's
 * active policy: the active version has to validate against the new schema (unless the caller
 * publishes a new version right after, as pack loading does).
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { getPool } from "../db/pool.ts";
import { MandateError } from "../errors.ts";
import type { Col, Row } from "../db/rows.ts";
import { MCP_STORE_ID } from "../policy/publish.ts";
import { validatePolicySet } from "../policy/validate.ts";
import { STORE_ENTRY } from "../audit/entries/index.ts";

export const storeId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lowercase letters, digits, _ and - (at most 63)");
export const storeInput = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    schema: z.union([
      z
        .string()
        .min(1)
        .max(512 * 1024),
      z.record(z.string(), z.unknown()),
    ]),
  })
  .strict();

/** A Cedar schema as JSON (the human-readable format is converted); 422 when it does not parse. */
export function schemaJson(schema: string | Record<string, unknown>): cedar.SchemaJson<string> {
  if (typeof schema === "string") {
    const r = cedar.schemaToJson(schema);
    if (r.type !== "success") throw new MandateError(422, "schema_invalid", `the Cedar schema does not parse: ${r.errors.map((e) => e.message).join("; ")}`);
    return r.json;
  }
  const r = cedar.checkParseSchema(schema as cedar.SchemaJson<string>);
  if (r.type !== "success") throw new MandateError(422, "schema_invalid", `the Cedar schema does not parse: ${r.errors.map((e) => e.message).join("; ")}`);
  return schema as cedar.SchemaJson<string>;
}

export async function upsertStore(rt: NodeContext, id: string, input: z.input<typeof storeInput>, actor: string, opts: { checkActive?: boolean } = {}) {
  storeId.parse(id);
  if (id === MCP_STORE_ID) throw new MandateError(409, "conflict", "the MCP store's schema is generated from the tool inventory");
  const v = storeInput.parse(input);
  const schema = schemaJson(v.schema);
  return adminAction(rt, async (tx, orm) => {
    if (opts.checkActive !== false) {
      const a = await orm((db) => db.policyVersion.findFirst({ where: { storeId: id, status: "active" }, select: { version: true, text: true } }));
      if (a) {
        const check = validatePolicySet(a.text, schema);
        if (!check.valid) {
          throw new MandateError(
            409,
            "conflict",
            `the active policy ${id}@v${a.version} does not validate against the new schema: ${check.problems[0]?.message}`,
          );
        }
      }
    }
    // SQL: an upsert that says whether it created the store (xmax = 0), which Prisma's upsert does not.
    const r = await tx.query<{ created: boolean }>(
      `INSERT INTO policy_stores (id, name, description, schema, created_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, schema = EXCLUDED.schema
       RETURNING (xmax = 0) AS created`,
      [id, v.name, v.description ?? null, JSON.stringify(schema)],
    );
    const created = r.rows[0].created;
    return {
      result: { id, name: v.name, created },
      audit: STORE_ENTRY.entry({ action: created ? "store.create" : "store.update", actor, data: { store: id, name: v.name } }),
    };
  });
}

type ListedStore = Row<"policy_stores", "id" | "name" | "description" | "created_at"> & {
  active_version: Col<"policy_versions", "version"> | null;
  entities: number;
  pep_keys: number;
};

export async function listStores() {
  const r = await getPool().query<ListedStore>(
    `SELECT s.id, s.name, s.description, s.created_at,
            (SELECT version FROM policy_versions v WHERE v.store_id = s.id AND v.status = 'active' LIMIT 1) AS active_version,
            (SELECT count(*) FROM directory_entities d WHERE d.store_id = s.id) AS entities,
            (SELECT count(*) FROM pep_keys k WHERE k.store_id = s.id AND k.revoked_at IS NULL) AS pep_keys
       FROM policy_stores s ORDER BY s.id`,
  );
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    description: x.description,
    created_at: x.created_at.toISOString(),
    active_version: x.active_version === null ? null : `${x.id}@v${x.active_version}`,
    directory_entities: Number(x.entities),
    pep_keys: Number(x.pep_keys),
  }));
}
