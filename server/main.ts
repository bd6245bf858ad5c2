/**
 * `mandate start`: one process serves the console (Next.js) and the data plane. Data-plane paths
 * (/api/v1/*, /access/v1/*, /.well-known/*, /api/openapi.json) are answered here directly, through
 * lib/http's router, without Next's per-request overhead; every other path goes to Next.
 *
 * Built in this order, stopped in the reverse: the database (bootstrap.ts: embedded PostgreSQL or
 * DATABASE_URL, migrations, seed), the node's runtime (lib/runtime/start.ts, the composition root of
 * everything live on the node), the console (Next.js), the HTTP listener.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { env } from "../lib/env.ts";
import { closePool } from "../lib/db/pool.ts";
import { runRoute, send } from "../lib/http/route.ts";
import { toProblem, MandateError } from "../lib/errors.ts";
import { applyConsolePolicy, refuseCrossOriginConsole, requestUrl, securityHeaders } from "../lib/http/security.ts";
import { defaultNodeName } from "../lib/runtime/runtime.ts";
import { startRuntime } from "../lib/runtime/start.ts";
import { buildRouter } from "../lib/http/routes/index.ts";
import { stampClientAddress } from "../lib/auth/client-address.ts";
import { announceCredentials, connectDatabase, prepareDatabase } from "./bootstrap.ts";
import { consoleSessionOf } from "./console-session.ts";

export interface StartOptions {
  dev?: boolean;
  console?: boolean;
}

/** next-auth needs a secret and its URL; without configuration, a secret is kept in the data directory. */
function ensureAuthSecret(dataDir: string, publicUrl: string): void {
  if (!process.env.NEXTAUTH_SECRET) {
    const file = join(dataDir, "nextauth.secret");
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    }
    process.env.NEXTAUTH_SECRET = readFileSync(file, "utf8").trim();
  }
  process.env.NEXTAUTH_URL ??= publicUrl;
}

const log = (m: string) => process.stderr.write(`[mandate] ${m}\n`);

export async function start(opts: StartOptions = {}): Promise<void> {
  const e = env();
  const db = await connectDatabase(log, { adopt: true });
  const creds = await prepareDatabase({ seed: true });
  const publicUrl = e.MANDATE_PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`;
  const rt = await startRuntime({
    node: e.MANDATE_NODE_NAME ?? defaultNodeName(e.PORT),
    cedarWorkers: e.MANDATE_CEDAR_WORKERS,
    auditChains: e.MANDATE_AUDIT_CHAINS,
    approvalTtlSeconds: e.MANDATE_APPROVAL_TTL_S,
    publicUrl,
    consoleSessions: consoleSessionOf,
    duties: {
      dataDir: e.dataDir,
      checkpointIntervalS: e.MANDATE_CHECKPOINT_INTERVAL_S,
      fullCheckpointIntervalS: e.MANDATE_CHECKPOINT_FULL_INTERVAL_S,
      checkpointWebhook: e.MANDATE_CHECKPOINT_WEBHOOK,
      embedded: db.embedded,
      log,
    },
  });
  const router = buildRouter();

  type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  let nextHandler: Handler | null = null;
  let nextApp: { close?: () => Promise<void> } | null = null;
  ensureAuthSecret(e.dataDir, publicUrl);
  if (opts.console !== false) {
    const { default: next } = await import("next");
    const app = next({ dev: !!opts.dev, dir: process.cwd(), hostname: e.HOST, port: e.PORT });
    await app.prepare();
    nextHandler = app.getRequestHandler();
    nextApp = app;
  }

  const server = createServer((req, res) => {
    // Data-plane answers carry the security headers through send(); console answers get them here.
    const url = requestUrl(req, res);
    if (!url) return;
    const m = router.match(req.method ?? "GET", url.pathname);
    if (m && "def" in m) {
      runRoute(rt, m.def, req, res, m.params, url).catch((err: unknown) => {
        log(`unhandled error on ${url.pathname}: ${(err as Error).message}`);
        if (!res.headersSent) send(res, 500, { error: "internal error" });
        else res.destroy();
      });
      return;
    }
    if (m && "allowed" in m) {
      const err = new MandateError(405, "method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
      send(res, 405, toProblem(err, url.pathname), { Allow: m.allowed.join(", ") }, "application/problem+json");
      return;
    }
    if (nextHandler) {
      securityHeaders(res);
      if (refuseCrossOriginConsole(req, res, publicUrl, url.pathname)) return;
      applyConsolePolicy(req, res, !!opts.dev);
      stampClientAddress(req); // the console's sign-in throttling counts by this address
      nextHandler(req, res).catch((err: unknown) => {
        log(`console error on ${url.pathname}: ${(err as Error).message}`);
        if (!res.headersSent) send(res, 500, { error: "internal error" });
      });
      return;
    }
    send(res, 404, toProblem(new MandateError(404, "not_found", `no route ${url.pathname}`), url.pathname), {}, "application/problem+json");
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOST, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : e.PORT;
  log(`node ${rt.config.node} listening on http://${e.HOST}:${port} (database: ${db.embedded ? "embedded PostgreSQL" : "DATABASE_URL"})`);
  if (creds) announceCredentials(creds, e.dataDir, publicUrl);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    // In the reverse order of the start: the listener, the console, the runtime (its own parts in
    // reverse: lib/runtime/start.ts), the pool, the database.
    server.closeIdleConnections?.();
    await new Promise<void>((r) => server.close(() => r()));
    await nextApp?.close?.().catch(() => {});
    await rt.stop().catch(() => {});
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch((err) => log(`stopping postgres: ${(err as Error).message}`));
    log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
