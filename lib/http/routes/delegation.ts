/**
 * Delegation: RFC 8693 token exchange, RFC 7009 revocation, the JWKS and authorization-server metadata,
 * the stored delegation graph, and signing-key rotation. The OAuth endpoints answer errors in the
 * RFC 6749 format ({error, error_description}); the others in problem+json.
 */
import { z } from "zod";
import { consoleGrantSchema, grantFromConsole } from "../../delegation/console-grant.ts";
import { tokenExchangeForm } from "../../delegation/exchange.ts";
import { tokenEndpoint } from "../../delegation/token-endpoint.ts";
import { GRANT_TYPE_JWT_BEARER } from "../../identity/federation/exchange.ts";
import { oauthError, oauthErrorFormat } from "../../delegation/oauth-errors.ts";
import { getDelegationGraph, listDelegations } from "../../delegation/queries.ts";
import { revokeByToken, revokeDelegation } from "../../delegation/revoke.ts";
import { rotateSigningKey } from "../../delegation/signing-keys.ts";
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from "../../delegation/token-types.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

const NO_CACHE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const revokeForm = z.object({ token: z.string().max(8192).optional(), token_type_hint: z.string().max(100).optional() });
const listQuery = z.object({
  session_id: z.string().min(1).max(200).optional(),
  subject: z.string().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const delegationRoutes = [
  defineRoute({
    method: "POST",
    path: "/api/v1/token",
    auth: "none",
    contentType: "form",
    body: tokenExchangeForm,
    errorFormat: oauthErrorFormat,
    tag: "Delegation",
    summary: "Exchange a token for a delegation token (RFC 8693), or a platform token for an agent access token (RFC 8693 / RFC 7523)",
    handler: async ({ rt, req, body }) => reply({ body: await tokenEndpoint(rt, body, req), headers: NO_CACHE }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/token/revoke",
    auth: "any",
    authRealm: "mandate-token",
    contentType: "form",
    body: revokeForm,
    errorFormat: oauthErrorFormat,
    tag: "Delegation",
    summary: "Revoke a delegation token and everything delegated from it (RFC 7009)",
    handler: async ({ rt, body, principal }) => {
      if (!body.token) throw oauthError("invalid_request", "token is required");
      return reply({ body: await revokeByToken(rt, principal!, body.token), headers: NO_CACHE });
    },
  }),
  defineRoute({
    method: "GET",
    path: "/.well-known/jwks.json",
    auth: "none",
    tag: "Delegation",
    summary: "Public keys of Mandate's delegation tokens and receipts (JWKS)",
    handler: async ({ rt }) => reply({ body: await rt.delegation.keys.jwks(), headers: { "Cache-Control": "public, max-age=60" } }),
  }),
  defineRoute({
    method: "GET",
    path: "/.well-known/oauth-authorization-server",
    auth: "none",
    tag: "Delegation",
    summary: "Authorization server metadata (RFC 8414) of the token endpoints",
    handler: async ({ rt }) => {
      const keys = rt.delegation.keys;
      await keys.ready();
      return {
        issuer: keys.issuer,
        token_endpoint: `${rt.config.publicUrl}/api/v1/token`,
        revocation_endpoint: `${rt.config.publicUrl}/api/v1/token/revoke`,
        jwks_uri: `${rt.config.publicUrl}/.well-known/jwks.json`,
        grant_types_supported: [GRANT_TYPE_TOKEN_EXCHANGE, GRANT_TYPE_JWT_BEARER],
        token_endpoint_auth_methods_supported: ["none"],
        revocation_endpoint_auth_methods_supported: ["bearer"],
        scopes_supported: ["tool:*/*"],
        mandate_subject_token_types_supported: [TOKEN_TYPE.accessToken, TOKEN_TYPE.idToken, TOKEN_TYPE.jwt, TOKEN_TYPE.personalToken, TOKEN_TYPE.delegation],
        mandate_actor_token_types_supported: [TOKEN_TYPE.accessToken, TOKEN_TYPE.agentKey],
      };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/delegations",
    auth: "user",
    query: listQuery,
    tag: "Delegation",
    summary: "List stored delegations (by session or subject)",
    handler: ({ query }) => listDelegations(query),
  }),
  defineRoute({
    method: "GET",
    path: "/api/v1/delegations/:id",
    auth: "user",
    tag: "Delegation",
    summary: "A delegation with its ancestors and descendants",
    handler: ({ params }) => getDelegationGraph(params.id),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/sessions/:id/delegations",
    auth: "user",
    roles: ["admin", "analyst"],
    body: consoleGrantSchema,
    tag: "Delegation",
    summary: "Grant a named agent your own authority in this session (the console's grant): a delegation token for that agent only, returned once",
    handler: async ({ rt, params, body, user }) => reply({ status: 201, body: await grantFromConsole(rt, user!, params.id, body), headers: NO_CACHE }),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/delegations/:id/revoke",
    auth: "user",
    roles: ["admin", "analyst"],
    body: z.object({ reason: z.string().min(1).max(1000).optional() }).strict(),
    tag: "Delegation",
    summary: "Revoke a delegation and everything delegated from it",
    handler: ({ rt, params, body, user }) => revokeDelegation(rt, params.id, actorOf(user), body.reason ?? null),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/signing-keys/rotate",
    auth: "user",
    roles: ["admin"],
    body: z.object({}).strict(),
    tag: "Delegation",
    summary: "Rotate the JWT signing key (older keys keep verifying until their tokens expire)",
    handler: async ({ rt, user }) => {
      const r = await rotateSigningKey(rt, actorOf(user));
      rt.delegation.keys.invalidate();
      return reply({ status: 201, body: r });
    },
  }),
];
