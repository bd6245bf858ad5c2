/**
 * Policy stores and their directories (the PIP of the AuthZEN mapping), for admins: list and
 * create/update stores, read, write, delete and import directory entities. The CLI
 * (`mandate directory import`) and pack loading call the same lib/ functions.
 */
import { z } from "zod";
import { listStores, storeInput, upsertStore } from "../../authzen/store-admin.ts";
import { deleteEntity, entityRef, getEntity, importEntities, listEntities, parseEntities, putEntity } from "../../directory/entities.ts";
import { fromZod } from "../../errors.ts";
import { actorOf, defineRoute, reply, type RouteDef } from "../route.ts";

const TAG = "Directory";
const readers = ["admin", "analyst", "viewer"] as const;

const listQuery = z
  .object({
    type: z.string().max(200).optional(),
    after_type: z.string().max(200).optional(),
    after_id: z.string().max(1000).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const entityBody = z.object({ attrs: z.record(z.string(), z.unknown()).default({}), parents: z.array(entityRef).max(200).default([]) }).strict();

function ref(params: Record<string, string>) {
  const r = entityRef.safeParse({ type: params.type, id: params.id });
  if (!r.success) throw fromZod(r.error, "path");
  return r.data;
}

export const directoryRoutes: RouteDef<unknown, unknown>[] = [
  defineRoute({
    method: "GET",
    path: "/api/v1/stores",
    auth: "user",
    roles: [...readers],
    tag: TAG,
    summary: "List policy stores (active version, directory size, PEP keys)",
    handler: async () => ({ stores: await listStores() }),
  }),
  defineRoute({
    method: "PUT",
    path: "/api/v1/stores/:store",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: storeInput,
    summary: "Create or update a policy store and its Cedar schema",
    handler: async ({ rt, params, body, user }) => {
      const r = await upsertStore(rt, params.store, body, actorOf(user));
      return reply({ status: r.created ? 201 : 200, body: r });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/stores/:store/directory",
    auth: "user",
    roles: [...readers],
    tag: TAG,
    query: listQuery,
    summary: "List a store's directory entities (paged by after_type/after_id)",
    handler: async ({ params, query }) => {
      const after = query.after_type !== undefined ? { type: query.after_type, id: query.after_id ?? "" } : undefined;
      const page = await listEntities(params.store, { type: query.type, after, limit: query.limit });
      return { entities: page.entities, next: page.next };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/stores/:store/directory/import",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: z.object({ entities: z.array(z.unknown()).max(100_000), mode: z.enum(["merge", "replace"]).default("merge") }).strict(),
    summary: "Import directory entities (merge, or replace the whole directory)",
    handler: async ({ rt, params, body, user }) => importEntities(rt, params.store, parseEntities(body.entities), actorOf(user), body.mode),
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/stores/:store/directory/:type/:id",
    auth: "user",
    roles: [...readers],
    tag: TAG,
    summary: "Read one directory entity",
    handler: async ({ params }) => {
      const r = ref(params);
      return getEntity(params.store, r.type, r.id);
    },
  }),
  defineRoute({
    method: "PUT",
    path: "/api/v1/stores/:store/directory/:type/:id",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: entityBody,
    summary: "Create or replace one directory entity (attributes and parents)",
    handler: async ({ rt, params, body, user }) => putEntity(rt, params.store, { ...ref(params), attrs: body.attrs, parents: body.parents }, actorOf(user)),
  }),
  defineRoute({
    method: "DELETE",
    path: "/api/v1/stores/:store/directory/:type/:id",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    summary: "Delete one directory entity",
    handler: async ({ rt, params, user }) => {
      const r = ref(params);
      await deleteEntity(rt, params.store, r.type, r.id, actorOf(user));
      return reply({ status: 204 });
    },
  }),
];
