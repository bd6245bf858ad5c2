/**
 * Workload identity federation, configuration: an agent's trust rules (which platform identities it
 * may present instead of a static key) and its federated-only flag. Admins only; audited.
 * The exchange itself is POST /api/v1/token (routes/delegation.ts).
 */
import { z } from "zod";
import { trustRuleInput } from "../../identity/federation/trust-input.ts";
import { addTrustRule, listTrustRules, removeTrustRule, setFederatedOnly } from "../../identity/federation/trust.ts";
import { actorOf, defineRoute, reply } from "../route.ts";

export const federationRoutes = [
  defineRoute({
    method: "GET",
    path: "/api/v1/agents/:agent/trust",
    auth: "user",
    roles: ["admin"],
    tag: "Identity",
    summary: "An agent's trust rules (workload identity federation) and whether it is federated-only",
    handler: ({ params }) => listTrustRules(params.agent),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/trust",
    auth: "user",
    roles: ["admin"],
    body: trustRuleInput,
    tag: "Identity",
    summary: "Trust a platform identity (issuer, subject, claims, audience) for an agent",
    handler: async ({ rt, params, body, user }) => reply({ status: 201, body: await addTrustRule(rt, params.agent, body, actorOf(user)) }),
  }),
  defineRoute({
    method: "DELETE",
    path: "/api/v1/agents/:agent/trust/:id",
    auth: "user",
    roles: ["admin"],
    tag: "Identity",
    summary: "Remove a trust rule (the access tokens it admitted are revoked with it)",
    handler: ({ rt, params, user }) => removeTrustRule(rt, params.agent, params.id, actorOf(user)),
  }),
  defineRoute({
    method: "POST",
    path: "/api/v1/agents/:agent/federated-only",
    auth: "user",
    roles: ["admin"],
    body: z.object({ federated_only: z.boolean() }).strict(),
    tag: "Identity",
    summary: "Make an agent federated-only (its static keys are revoked; no new one can be created) or lift it",
    handler: ({ rt, params, body, user }) => setFederatedOnly(rt, params.agent, body.federated_only, actorOf(user)),
  }),
];
