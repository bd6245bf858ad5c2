/**
 * Health, the OpenAPI document, and audit verification/checkpoints.
 */
import { z } from "zod";
import { writeCheckpoint } from "../../audit/checkpoints.ts";
import { verifyAudit, type VerifyMode } from "../../audit/verify.ts";
import type { ServerResponse } from "node:http";
import type { QueryConfig } from "pg";
import { getPool } from "../../db/pool.ts";
import { env } from "../../env.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { buildOpenApi } from "../openapi.ts";
import { actorOf, defineRoute, reply, type RouteDef } from "../route.ts";
import { logger } from "../../telemetry/log.ts";

/** Up *and* current: the database answers, and the change feed vouches for the caches (docs/guarantees.md). */
async function readiness(rt: Runtime) {
  const feed = rt.changes.state();
  let database: { ok: boolean; error?: string };
  try {
    await getPool().query({ text: "SELECT 1", query_timeout: 2_000 } as QueryConfig);
    database = { ok: true };
  } catch (err) {
    database = { ok: false, error: (err as Error).message };
  }
  const reason = !database.ok
    ? `the database is unreachable: ${database.error}`
    : !feed.current
      ? `the change feed is not current (${feed.connected ? `last confirmed ${feed.confirmed_ms_ago} ms ago` : `disconnected${feed.last_error ? `: ${feed.last_error}` : ""}`}): ` +
        "caches are re-read from the database at most every second"
      : null;
  return { ready: reason === null, status: reason === null ? "ready" : "not_ready", reason, node: rt.config.node, database, change_feed: feed };
}

const verifyBody = z
  .object({
    /** full: every entry from each chain's genesis; since-checkpoint: the entries after the last trusted checkpoint. */
    mode: z.enum(["full", "since-checkpoint"]).optional(),
    /** Stream NDJSON: {"type":"progress",done,total} lines while it runs, then {"type":"report",report}. */
    progress: z.boolean().optional(),
  })
  .strict();

/** The verification as NDJSON lines: progress (at most every 250 ms), then the report (or an error line). */
async function streamVerify(res: ServerResponse, mode: VerifyMode, by: string): Promise<void> {
  const line = (v: unknown) => res.write(JSON.stringify(v) + "\n");
  let last = 0;
  try {
    const report = await verifyAudit(env().dataDir, {
      mode,
      by,
      onProgress: ({ done, total }) => {
        const now = performance.now();
        if (now - last < 250 && done < total) return;
        last = now;
        line({ type: "progress", done, total });
      },
    });
    line({ type: "report", report });
  } catch (err) {
    logger.error("audit verification failed", { component: "audit-verify", err });
    line({ type: "error", detail: "the verification could not finish; see the server log" });
  }
}

export function systemRoutes(all: () => RouteDef<unknown, unknown>[]) {
  let doc: unknown = null;
  return [
    defineRoute({
      method: "GET",
      path: "/api/v1/health",
      auth: "none",
      tag: "System",
      summary: "Liveness and node identity",
      handler: async ({ rt }) => ({
        status: "ok",
        node: rt.config.node,
        cedar_workers: rt.evaluator.workerCount,
        audit: { chains: rt.decisionChain.heads, batches: rt.decisionChain.stats },
        change_feed: rt.changes.state(),
        caches: { credentials: rt.credentials.sizes },
      }),
    }),
    defineRoute({
      method: "GET",
      path: "/api/v1/ready",
      auth: "none",
      tag: "System",
      summary: "Readiness: 200 only with a live database connection and a current change feed, else 503 with the reason",
      handler: async ({ rt }) => {
        const r = await readiness(rt);
        return reply({ status: r.ready ? 200 : 503, body: r, headers: r.ready ? {} : { "Retry-After": "1" } });
      },
    }),
    defineRoute({
      method: "GET",
      path: "/api/openapi.json",
      auth: "none",
      tag: "System",
      summary: "This OpenAPI document",
      handler: async () => (doc ??= buildOpenApi(all())),
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/audit/verify",
      auth: "user",
      roles: ["admin", "analyst"],
      body: verifyBody,
      tag: "Audit",
      summary:
        "Verify the audit hash chains and checkpoints (mode full, the default, or since-checkpoint); with progress: true, an NDJSON stream of progress lines, then the report",
      handler: async ({ body, user }) => {
        const mode = body.mode ?? "full";
        const by = actorOf(user);
        if (!body.progress) return verifyAudit(env().dataDir, { mode, by });
        return reply({
          headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store" },
          stream: (res) => streamVerify(res, mode, by),
        });
      },
    }),
    defineRoute({
      method: "POST",
      path: "/api/v1/audit/checkpoints",
      auth: "user",
      roles: ["admin"],
      body: z.object({}).strict(),
      tag: "Audit",
      summary: "Write a signed checkpoint now",
      handler: async () => reply({ status: 201, body: await writeCheckpoint(env().dataDir, { webhook: env().MANDATE_CHECKPOINT_WEBHOOK }) }),
    }),
  ];
}
