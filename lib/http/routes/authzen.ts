/**
 * OpenID AuthZEN Authorization API 1.0 (docs/authzen.md): PDP metadata, evaluation, evaluations and
 * the three searches, at the root (the store is the PEP key's) and under /stores/:store (the spec's
 * base-path rule: one PDP per policy store). Callers are PEPs with a PEP key (`auth: "pep"`); the
 * wrapper reads the body as for any route (size, UTF-8, JSON, depth, exactness); errors are answered
 * in the AuthZEN format (status + message string). Also the admin routes for PEP keys, and (directory.ts)
 * those for stores and their directories.
 */
import { z } from "zod";
import { evaluationEndpoint, evaluationsEndpoint, metadata, searchEndpoint } from "../../authzen/http.ts";
import { createPepKey, listPepKeys, revokePepKey, rotatePepKey } from "../../authzen/pep-keys.ts";
import { rotation } from "./operator.ts";
import { authzenBody, authzenErrorFormat } from "../../authzen/request.ts";
import type { SearchKind } from "../../authzen/search.ts";
import { actorOf, defineRoute, reply, type RouteDef } from "../route.ts";
import { directoryRoutes } from "./directory.ts";

const TAG = "AuthZEN";
const decision = z.object({ decision: z.boolean(), context: z.record(z.string(), z.unknown()).optional() });
const decisions = z.union([z.object({ evaluations: z.array(decision) }), decision]);
const results = z.object({ results: z.array(z.record(z.string(), z.string())), page: z.object({ next_token: z.string(), count: z.number().int() }) });

function dataPlane(prefix: string, scoped: boolean): RouteDef<unknown, unknown>[] {
  const where = scoped ? " (store-scoped PDP)" : "";
  const searches: SearchKind[] = ["subject", "resource", "action"];
  return [
    defineRoute({
      method: "POST",
      path: `${prefix}/access/v1/evaluation`,
      auth: "pep",
      body: authzenBody,
      tag: TAG,
      errorFormat: authzenErrorFormat,
      response: decision,
      summary: `Access Evaluation API${where}: one decision (PEP key, Bearer)`,
      handler: ({ rt, pep, body }) => evaluationEndpoint(rt, pep!, body),
    }),
    defineRoute({
      method: "POST",
      path: `${prefix}/access/v1/evaluations`,
      auth: "pep",
      body: authzenBody,
      tag: TAG,
      errorFormat: authzenErrorFormat,
      response: decisions,
      summary: `Access Evaluations API${where}: a batch with defaults and evaluations_semantic (PEP key, Bearer)`,
      handler: ({ rt, pep, body }) => evaluationsEndpoint(rt, pep!, body),
    }),
    ...searches.map((kind) =>
      defineRoute({
        method: "POST",
        path: `${prefix}/access/v1/search/${kind}`,
        auth: "pep",
        body: authzenBody,
        tag: TAG,
        errorFormat: authzenErrorFormat,
        response: results,
        summary: `${kind[0].toUpperCase()}${kind.slice(1)} Search API${where}, paged (PEP key, Bearer)`,
        handler: ({ rt, pep, body }) => searchEndpoint(rt, pep!, body, kind),
      }),
    ),
  ];
}

export const authzenRoutes: RouteDef<unknown, unknown>[] = [
  defineRoute({
    method: "GET",
    path: "/.well-known/authzen-configuration",
    auth: "none",
    tag: TAG,
    errorFormat: authzenErrorFormat,
    summary: "AuthZEN PDP metadata (the store is the PEP key's)",
    handler: ({ rt }) => metadata(rt, null),
  }),
  defineRoute({
    method: "GET",
    path: "/.well-known/authzen-configuration/stores/:store",
    auth: "none",
    tag: TAG,
    errorFormat: authzenErrorFormat,
    summary: "AuthZEN PDP metadata of one policy store (PDP identifier <public url>/stores/<store>)",
    handler: ({ rt, params }) => metadata(rt, params.store),
  }),
  ...dataPlane("", false),
  ...dataPlane("/stores/:store", true),
  defineRoute({
    method: "GET",
    path: "/api/v1/stores/:store/pep-keys",
    auth: "user",
    roles: ["admin", "analyst"],
    tag: TAG,
    summary: "List the PEP keys of a policy store",
    handler: async ({ params }) => ({ keys: await listPepKeys(params.store) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/stores/:store/pep-keys",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: z.object({ name: z.string().min(1).max(100), expires_in_days: z.number().int().nullable().optional() }).strict(),
    summary: "Create a PEP key bound to a policy store (shown once)",
    handler: async ({ rt, params, body, user }) =>
      reply({ status: 201, body: await createPepKey(rt, params.store, body.name, actorOf(user), body.expires_in_days) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/pep-keys/:keyId/rotate",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: rotation,
    summary: "Rotate a PEP key: a new key (shown once), and the old one expiring after overlap_seconds (default 86400, at most 604800)",
    handler: async ({ rt, params, body, user }) =>
      reply({ status: 201, body: await rotatePepKey(rt, params.keyId, actorOf(user), body.overlap_seconds, body.expires_in_days) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/pep-keys/:keyId/revoke",
    auth: "user",
    roles: ["admin"],
    tag: TAG,
    body: z.object({}).strict(),
    summary: "Revoke a PEP key (every node, next request)",
    handler: async ({ rt, params, user }) => {
      await revokePepKey(rt, params.keyId, actorOf(user));
      return { key_id: params.keyId, revoked: true };
    },
  }),
  ...directoryRoutes,
];
