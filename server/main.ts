/**
 * `mandate start`: one command starts a node. With MANDATE_DATA_PLANE_WORKERS = 1 (the default, and with
 * `--dev`) one process serves the console (Next.js) and the data plane and runs the node's duties; with
 * more, a primary process runs the database, the duties and the
 * console, and forks the data-plane workers that share the port (server/cluster-primary.ts).
 *
 * The single process is built in this order, stopped in the reverse: the database (bootstrap.ts:
 * embedded PostgreSQL or DATABASE_URL, migrations, seed), the node's runtime (lib/runtime/start.ts, the
 * composition root of everything live on the node), the console (Next.js), the HTTP listener.
 */
import cluster from "node:cluster";
import { createServer } from "node:http";
import { env } from "../lib/env.ts";
import { closePool } from "../lib/db/pool.ts";
import { startRuntime } from "../lib/runtime/start.ts";
import { buildRouter } from "../lib/http/routes/index.ts";
import { announceCredentials, connectDatabase, prepareDatabase, writeCredentials } from "./bootstrap.ts";
import { startConsole, type Console } from "./console.ts";
import { requestHandler } from "./handler.ts";
import { drainable } from "./drain.ts";
import { startPrimary } from "./cluster-primary.ts";
import { closeMetricsListener, startMetricsListener, tokenGuardedMetrics } from "./metrics-endpoint.ts";
import { mergeMetrics, processMetrics } from "../lib/telemetry/scrape.ts";
import { ensureAuthSecret, log, warn, nodeDuties, nodeIdentity, runtimeOptions, stopOnSignals, type StartOptions } from "./node-options.ts";

export type { StartOptions };

/**
 * Data-plane processes of this node: MANDATE_DATA_PLANE_WORKERS, else one; `--dev`: one. Not one per core
 * by default yet: on 2 cores, 2 workers answered 0.48× the decisions/s of one process in `npm run bench`
 * (a session's decisions spread over workers conflict at commit, and each worker commits its own smaller
 * batches: PostgreSQL's CPU per decision tripled; docs/benchmarks.md). `MANDATE_DATA_PLANE_WORKERS=<n>`
 * (e.g. the number of cores) turns them on.
 */
export function dataPlaneWorkers(dev: boolean): number {
  return dev ? 1 : (env().MANDATE_DATA_PLANE_WORKERS ?? 1);
}

export async function start(opts: StartOptions = {}): Promise<void> {
  if (cluster.isWorker) throw new Error("a data-plane worker starts through server/worker-entry.mjs");
  const workers = dataPlaneWorkers(!!opts.dev);
  if (workers > 1) return startPrimary(opts, workers);
  return startSingle(opts);
}

async function startSingle(opts: StartOptions): Promise<void> {
  const e = env();
  const db = await connectDatabase(log, { adopt: true });
  const creds = await prepareDatabase({ seed: true });
  const { node, publicUrl } = nodeIdentity();
  const rt = await startRuntime({
    ...runtimeOptions(publicUrl),
    node,
    duties: nodeDuties(db.embedded),
  });

  ensureAuthSecret(e.dataDir, publicUrl);
  const con: Console | null = opts.console !== false ? await startConsole({ dev: !!opts.dev, host: e.HOST, port: e.PORT, publicUrl, log }) : null;
  const scrape = async () => mergeMetrics([await processMetrics()]);
  const metricsServer = await startMetricsListener(e.MANDATE_METRICS_LISTEN, scrape, log).catch(async (err: Error) => {
    await con?.close().catch(() => {});
    await rt.stop().catch(() => {});
    await closePool().catch(() => {});
    await db.embedded?.stop().catch(() => {});
    throw err;
  });
  const metrics = tokenGuardedMetrics(e.MANDATE_METRICS_TOKEN, scrape);
  const server = createServer(requestHandler(rt, buildRouter(), con && ((req, res, pathname) => con.handle(req, res, pathname)), metrics));
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const listener = drainable(server);

  if (creds) writeCredentials(creds, e.dataDir);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOST, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : e.PORT;
  log(`node ${rt.config.node} listening on http://${e.HOST}:${port} (database: ${db.embedded ? "embedded PostgreSQL" : "DATABASE_URL"})`);
  if (creds) announceCredentials(creds, e.dataDir, publicUrl);

  // In the reverse order of the start: the listener, the console, the runtime (its own parts in
  // reverse: lib/runtime/start.ts), the pool, the database.
  stopOnSignals(async () => {
    await Promise.all([listener.drain(), closeMetricsListener(metricsServer)]);
    await con?.close().catch(() => {});
    await rt.stop().catch(() => {});
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch((err) => warn(`stopping postgres: ${(err as Error).message}`));
  }, 15_000);
}
