/**
 * Admin and operator endpoints over the same lib/ functions the CLI and the console use.
 * Authenticated with a personal API token (Bearer) or a console session.
 */
import { z } from "zod";
import { operatorReason } from "../../api/schemas.ts";
import { createAgent, createAgentKey, newAgentSchema, revokeAgentKey, rotateAgentKey, setAgentOwner, setAgentSuspended } from "../../identity/agents.ts";
import { approveTool, classificationEdit, detectorsOffEdit, rejectTool, setDetectorsOff, setToolBlocked } from "../../inventory/tools-admin.ts";
import { terminateSession } from "../../sessions/terminate-session.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

/** A rotation's body (bounds checked in lib/identity/key-lifetime.ts, which names them). */
export const rotation = z.object({ overlap_seconds: z.number().int().optional(), expires_in_days: z.number().int().optional() }).strict();

export const operatorRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/suspend",
    auth: "user",
    roles: ["admin", "analyst"],
    body: operatorReason,
    tag: "Operator controls",
    summary: "Suspend an agent",
    handler: ({ rt, params, body, user }) => setAgentSuspended(rt, params.agent, true, body.reason, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/unsuspend",
    auth: "user",
    roles: ["admin"],
    body: operatorReason,
    tag: "Operator controls",
    summary: "Lift an agent's suspension",
    handler: ({ rt, params, body, user }) => setAgentSuspended(rt, params.agent, false, body.reason, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/tools/:server/:name/block",
    auth: "user",
    roles: ["admin", "analyst"],
    body: operatorReason,
    tag: "Operator controls",
    summary: "Block a tool",
    handler: ({ rt, params, body, user }) => setToolBlocked(rt, params.server, params.name, true, body.reason, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/tools/:server/:name/unblock",
    auth: "user",
    roles: ["admin"],
    body: operatorReason,
    tag: "Operator controls",
    summary: "Unblock a tool",
    handler: ({ rt, params, body, user }) => setToolBlocked(rt, params.server, params.name, false, body.reason, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/sessions/:id/terminate",
    auth: "user",
    roles: ["admin", "analyst"],
    body: operatorReason,
    tag: "Operator controls",
    summary: "Terminate a session",
    handler: ({ rt, params, body, user }) => terminateSession(rt, params.id, body.reason, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/tools/:server/:name/approve",
    auth: "user",
    roles: ["admin"],
    body: classificationEdit,
    tag: "Inventory",
    summary: "Approve a tool's classification",
    handler: ({ rt, params, body, user }) => approveTool(rt, params.server, params.name, body, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/tools/:server/:name/reject",
    auth: "user",
    roles: ["admin"],
    body: z.object({ note: z.string().max(2000).optional() }).strict(),
    tag: "Inventory",
    summary: "Reject a tool",
    handler: ({ rt, params, body, user }) => rejectTool(rt, params.server, params.name, body.note ?? null, actorOf(user)),
  }),
  defineRoute({
    method: "PUT",
    path: "/api/v1/tools/:server/:name/detectors",
    auth: "user",
    roles: ["admin"],
    body: detectorsOffEdit,
    tag: "Inventory",
    summary: "Set the content detectors the gateway skips for one tool, resource or prompt (the whole set; [] turns all back on)",
    handler: ({ rt, params, body, user }) => setDetectorsOff(rt, params.server, params.name, body, actorOf(user)),
  }),
  defineRoute({
    method: "PUT",
    path: "/api/v1/servers/:server/detectors",
    auth: "user",
    roles: ["admin"],
    body: detectorsOffEdit,
    tag: "Inventory",
    summary: "Set the content detectors the gateway skips for every item of a server",
    handler: ({ rt, params, body, user }) => setDetectorsOff(rt, params.server, null, body, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents",
    auth: "user",
    roles: ["admin"],
    body: newAgentSchema,
    tag: "Identity",
    summary: "Register an agent (returns its first API key once)",
    handler: async ({ rt, body, user }) => reply({ status: 201, body: await createAgent(rt, body, actorOf(user)) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/owner",
    auth: "user",
    roles: ["admin"],
    body: z.object({ owner: z.string().email().max(320).nullable() }).strict(),
    tag: "Identity",
    summary: "Set an agent's owner (an enabled user's email, or null); audited",
    handler: ({ rt, params, body, user }) => setAgentOwner(rt, params.agent, body.owner, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/keys",
    auth: "user",
    roles: ["admin"],
    // The maximum is the deployment's (lib/identity/key-lifetime.ts): over it, a 400 naming it.
    body: z.object({ expires_in_days: z.number().int().optional() }).strict(),
    tag: "Identity",
    summary: "Create an API key for an agent (shown once)",
    handler: async ({ rt, params, body, user }) => reply({ status: 201, body: await createAgentKey(rt, params.agent, actorOf(user), body.expires_in_days) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/keys/:keyId/rotate",
    auth: "user",
    roles: ["admin"],
    body: rotation,
    tag: "Identity",
    summary:
      "Rotate an agent API key: a new key (shown once), and the old one expiring after overlap_seconds (default 86400, at most 604800; never later than it would have)",
    handler: async ({ rt, params, body, user }) =>
      reply({ status: 201, body: await rotateAgentKey(rt, params.keyId, actorOf(user), body.overlap_seconds, body.expires_in_days) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/keys/:keyId/revoke",
    auth: "user",
    roles: ["admin"],
    body: z.object({}).strict(),
    tag: "Identity",
    summary: "Revoke an agent API key",
    handler: async ({ rt, params, user }) => {
      await revokeAgentKey(rt, params.keyId, actorOf(user));
      return { key_id: params.keyId, revoked: true };
    },
  }),
];
