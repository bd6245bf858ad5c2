/**
 * A data-plane worker of a node (forked by server/cluster-primary.ts): its own runtime (caches, Cedar
 * workers, audit chains `<node>/w<i>`, change feed) and the node's port, shared through node:cluster.
 * The console's paths are proxied to the primary (server/console-proxy.ts). It runs none of the node's
 * duties. It stops when the primary tells it to (Ctrl-C reaches every process of the terminal's
 * process group: the primary orders the shutdown), on SIGTERM, and at once when the primary is gone.
 */
import { createServer } from "node:http";
import { loadMasterKey } from "../lib/crypto/master-key.ts";
import { closePool, setDatabaseUrl } from "../lib/db/pool.ts";
import { env } from "../lib/env.ts";
import { buildRouter } from "../lib/http/routes/index.ts";
import type { Change, Runtime } from "../lib/runtime/runtime.ts";
import { ownHeads, startRuntime } from "../lib/runtime/start.ts";
import { toWorker, workerConfig, Requests, WORKER_CONFIG_ENV, type FromWorker } from "./cluster-ipc.ts";
import { consoleProxy } from "./console-proxy.ts";
import { drainable } from "./drain.ts";
import { requestHandler } from "./handler.ts";
import { tokenGuardedMetrics } from "./metrics-endpoint.ts";
import { processMetrics } from "../lib/telemetry/scrape.ts";
import { runtimeOptions } from "./node-options.ts";
import { logger, setLogProcess } from "../lib/telemetry/log.ts";

/** The primary answers a barrier within its own timeout (it kills a worker that does not); this is a last resort. */
const PRIMARY_TIMEOUT_MS = 15_000;
/** The primary gathers every worker's metrics within 2 s (server/cluster-primary.ts). */
const METRICS_TIMEOUT_MS = 5_000;

export async function runWorker(): Promise<void> {
  const config = workerConfig.parse(JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "null"));
  delete process.env[WORKER_CONFIG_ENV];
  setLogProcess(`w${config.index}`);
  const log = (m: string) => logger.info(m);
  const warn = (m: string) => logger.warn(m);
  const e = env();
  setDatabaseUrl(config.databaseUrl);
  loadMasterKey({ fromEnv: e.MANDATE_MASTER_KEY, dataDir: e.dataDir, createIfMissing: false });

  const send = (m: FromWorker) => {
    if (process.connected) process.send!(m);
  };
  const requests = new Requests<true>();
  const scrapes = new Requests<string | null>();
  // Changes the primary sent while this runtime was being built: applied before it listens.
  let rt: Runtime | null = null;
  const early: Array<Change | null> = [];
  let stop: (why: string, id?: number) => Promise<void> = async () => process.exit(0);

  process.on("message", (raw: unknown) => {
    const p = toWorker.safeParse(raw);
    if (!p.success) return warn("unexpected message from the primary ignored");
    const m = p.data;
    if (m.t === "reply") return requests.settle(m.id, true);
    if (m.t === "scraped") return scrapes.settle(m.id, m.text);
    if (m.t === "metrics")
      return void processMetrics().then(
        (metrics) => send({ t: "metrics", id: m.id, metrics: metrics as unknown as Extract<FromWorker, { t: "metrics" }>["metrics"] }),
        (err: Error) => (warn(`collecting metrics: ${err.message}`), send({ t: "metrics", id: m.id, metrics: [] })),
      );
    if (m.t === "stop") return void stop("stop", m.id);
    if (m.t === "heads") return send({ t: "reply", id: m.id, heads: rt ? ownHeads(rt) : [] });
    if (!rt) {
      early.push(m.change);
      return send({ t: "reply", id: m.id });
    }
    rt.applyFromPeer(m.change)
      .catch((err: Error) => warn(`applying a change: ${err.message}`))
      .finally(() => send({ t: "reply", id: m.id }));
  });
  // The primary is gone (killed): nobody coordinates this node any more.
  process.on("disconnect", () => void stop("the primary process is gone"));
  // Ctrl-C reaches the whole process group: the primary stops the workers in order.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => void stop("SIGTERM"));

  rt = await startRuntime({
    ...runtimeOptions(config.publicUrl),
    node: config.node,
    metricsProcess: `w${config.index}`,
    duties: null,
    peers: {
      async barrier(change) {
        const { id, reply } = requests.open(PRIMARY_TIMEOUT_MS);
        send({ t: "barrier", id, change });
        if ((await reply) === null && process.connected) throw new Error("the node's primary did not confirm a change within 15 s");
      },
      kickWebhooks: () => send({ t: "kick" }),
    },
  });
  for (const c of early.splice(0)) await rt.applyFromPeer(c);

  // GET /metrics on the main port (with MANDATE_METRICS_TOKEN): the node's metrics, gathered by the primary.
  const scrape = async () => {
    const { id, reply } = scrapes.open(METRICS_TIMEOUT_MS);
    send({ t: "scrape", id });
    const text = await reply;
    if (text === null) throw new Error("the node's primary did not send its metrics");
    return text;
  };
  const metrics = tokenGuardedMetrics(e.MANDATE_METRICS_TOKEN, scrape);
  const handler = requestHandler(rt, buildRouter(), config.console ? consoleProxy(config.console, warn) : null, metrics);
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const listener = drainable(server);
  const running = rt;
  let stopping = false;
  stop = async (why, id) => {
    if (stopping) return;
    stopping = true;
    if (why !== "stop") log(`${why}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await listener.drain();
    requests.settleAll();
    scrapes.settleAll();
    await running.stop().catch(() => {});
    await closePool().catch(() => {});
    // The final heads of this worker's chains, for the node's last signed checkpoint (from memory: the
    // database may already be shutting down when Ctrl-C reached it too).
    if (id !== undefined && process.connected) process.send!({ t: "reply", id, heads: ownHeads(running) } satisfies FromWorker, () => process.exit(0));
    else process.exit(0);
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HOST, () => resolve());
  });
}
