/**
 * Users (admins) and the signed-in user's own personal API tokens, over the same lib/ functions as the
 * CLI. The console calls these from the browser with its session cookie (components/api/call-api.ts).
 */
import { z } from "zod";
import { preferencesSchema, setPreferences } from "../../console/preferences.ts";
import { changeDisabled, changeRole } from "../../console/users-admin.ts";
import { forbidden, notFound } from "../../errors.ts";
import { createApiToken, createUser, revokeApiToken, roleSchema } from "../../identity/users.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

const TAG = "Identity";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** User ids are UUIDs: anything else names no user. */
function userId(params: Record<string, string>): string {
  if (!UUID.test(params.id)) throw notFound("user");
  return params.id;
}

const newUser = z
  .object({
    email: z.string().email("enter a valid email address").max(320),
    name: z.string().min(1).max(200).optional(),
    role: roleSchema,
  })
  .strict();
const newToken = z
  .object({
    name: z.string().min(1, "give the token a name (where it is used)").max(100),
    // The maximum is the deployment's (lib/identity/key-lifetime.ts): over it, a 400 naming it.
    expires_in_days: z.number().int().optional(),
  })
  .strict();
const empty = z.object({}).strict();

export const userRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/users",
    auth: "user",
    roles: ["admin"],
    body: newUser,
    tag: TAG,
    summary: "Create a user (returns a one-time password, shown once)",
    handler: async ({ rt, body, user }) => reply({ status: 201, body: await createUser(rt, body, actorOf(user)) }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/users/:id/role",
    auth: "user",
    roles: ["admin"],
    body: z.object({ role: roleSchema }).strict(),
    tag: TAG,
    summary: "Change a user's role (not your own admin role, not the last admin's)",
    handler: async ({ rt, params, body, user }) => {
      await changeRole(rt, user!.userId, userId(params), body.role, actorOf(user));
      return { id: params.id, role: body.role };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/users/:id/disable",
    auth: "user",
    roles: ["admin"],
    body: empty,
    tag: TAG,
    summary: "Disable a user (console sessions and API tokens refused from the next request)",
    handler: async ({ rt, params, user }) => {
      await changeDisabled(rt, user!.userId, userId(params), true, actorOf(user));
      return { id: params.id, disabled: true };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/users/:id/enable",
    auth: "user",
    roles: ["admin"],
    body: empty,
    tag: TAG,
    summary: "Enable a disabled user",
    handler: async ({ rt, params, user }) => {
      await changeDisabled(rt, user!.userId, userId(params), false, actorOf(user));
      return { id: params.id, disabled: false };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/account/tokens",
    auth: "user",
    body: newToken,
    tag: TAG,
    summary: "Create a personal API token for yourself (acts with your role; shown once). Console session only: a token does not mint tokens",
    handler: async ({ rt, body, user }) => {
      // As before this route existed: tokens are made in the console (or the CLI on the host), so a leaked
      // token cannot outlive its own revocation by minting others.
      if (user!.keyId) throw forbidden("personal API tokens are created from the console session, not with another token");
      return reply({ status: 201, body: await createApiToken(rt, user!.userId, body.name, actorOf(user), body.expires_in_days) });
    },
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/account/preferences",
    auth: "user",
    body: preferencesSchema,
    tag: TAG,
    summary: 'Set your console display preferences: the time zone times are shown in ("UTC" or an IANA zone), the approvals page layout',
    handler: async ({ body, user }) => setPreferences(user!.userId, body),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/account/tokens/:keyId/revoke",
    auth: "user",
    body: empty,
    tag: TAG,
    summary: "Revoke one of your own personal API tokens",
    handler: async ({ rt, params, user }) => {
      await revokeApiToken(rt, params.keyId, actorOf(user), user!.userId);
      return { key_id: params.keyId, revoked: true };
    },
  }),
];
