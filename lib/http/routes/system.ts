/**
 * Health, the OpenAPI document, and audit verification/checkpoints.
 */
import { z } from "zod";
import { writeCheckpoint } from "../../audit/checkpoints.ts";
import { verifyAudit } from "../../audit/verify.ts";
import { env } from "../../env.ts";
import { buildOpenApi } from "../openapi.ts";
import { defineRoute, reply, type RouteDef } from "../route.ts";

export function systemRoutes(all: () => RouteDef<unknown, unknown>[]) {
  let doc: unknown = null;
  return [
    defineRoute({
      method: "GET", path: "/api/v1/health", auth: "none", tag: "System", summary: "Liveness and node identity",
      handler: async ({ rt }) => ({ status: "ok", node: rt.config.node, cedar_workers: rt.evaluator.workerCount, audit: { chains: rt.decisionChain.heads, batches: rt.decisionChain.stats } }),
    }),
    defineRoute({
      method: "GET", path: "/api/openapi.json", auth: "none", tag: "System", summary: "This OpenAPI document",
      handler: async () => (doc ??= buildOpenApi(all())),
    }),
    defineRoute({
      method: "POST", path: "/api/v1/audit/verify", auth: "user", roles: ["admin", "analyst"], body: z.object({}).strict(),
      tag: "Audit", summary: "Verify the audit hash chains and checkpoints",
      handler: async () => verifyAudit(env().dataDir),
    }),
    defineRoute({
      method: "POST", path: "/api/v1/audit/checkpoints", auth: "user", roles: ["admin"], body: z.object({}).strict(),
      tag: "Audit", summary: "Write a signed checkpoint now",
      handler: async () => reply({ status: 201, body: await writeCheckpoint(env().dataDir, { webhook: env().MANDATE_CHECKPOINT_WEBHOOK }) }),
    }),
  ];
}
