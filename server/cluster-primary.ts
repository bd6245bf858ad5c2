/**
 * A node with several data-plane processes (MANDATE_DATA_PLANE_WORKERS > 1): this, the primary process,
 * runs what a node has once — the database (embedded PostgreSQL, supervised), migrations and seed, the
 * node's duties (checkpoints, approval sweeper and webhook worker, purges), and the console (Next.js, on
 * a loopback listener of its own) — and forks N data-plane workers (node:cluster) that share the node's
 * port: each has its own runtime (caches, Cedar workers, audit chains `<node>/w<i>`, change feed), as
 * separate nodes on one PostgreSQL have. A console request that reaches a worker is proxied to the
 * console here (server/console-proxy.ts).
 *
 * A change made in one process is in force in every process of the node before it is answered: the
 * process that made it asks the primary for a barrier (cluster-ipc.ts), the primary applies it to its
 * own caches and sends it to every other worker, each applies it and waits for its change feed's
 * barrier, and the primary answers once all have acknowledged. A worker that does not acknowledge within
 * BARRIER_TIMEOUT_MS is killed (it is restarted with empty caches): no process of the node keeps
 * serving with a change it did not apply. A worker that dies is restarted with back-off; when the
 * primary dies, its workers notice that their IPC channel closed and exit.
 */
import cluster, { type Worker } from "node:cluster";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { closePool } from "../lib/db/pool.ts";
import { env } from "../lib/env.ts";
import { startRuntime } from "../lib/runtime/start.ts";
import type { Change, Runtime } from "../lib/runtime/runtime.ts";
import { announceCredentials, connectDatabase, prepareDatabase, writeCredentials } from "./bootstrap.ts";
import { startConsole, type Console } from "./console.ts";
import { PEER_HEADER, SECRET_HEADER } from "./console-proxy.ts";
import { fromWorker, Requests, WORKER_CONFIG_ENV, type FromWorker, type Head, type ToWorker, type WorkerConfig } from "./cluster-ipc.ts";
import { closeMetricsListener, startMetricsListener } from "./metrics-endpoint.ts";
import { mergeMetrics, processMetrics, type ProcessMetrics } from "../lib/telemetry/scrape.ts";
import { ensureAuthSecret, log, warn, nodeDuties, nodeIdentity, runtimeOptions, stopOnSignals, type StartOptions } from "./node-options.ts";

/** A worker that has not applied a barrier by then is killed (docs/guarantees.md). */
export const BARRIER_TIMEOUT_MS = 5_000;
const HEADS_TIMEOUT_MS = 1_000;
/** A worker that does not send its metrics in time is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;
const RESTART_BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** A worker up this long is healthy again: its next crash starts the back-off from the beginning. */
const HEALTHY_AFTER_MS = 60_000;

type Slot = { index: number; worker: Worker | null; restarts: number; startedAt: number };

class Workers {
  private slots: Slot[] = [];
  private replies = new Requests<Head[]>();
  private scrapes = new Requests<ProcessMetrics>();
  /** The node's exposition (set by startPrimary): asked by a worker that got GET /metrics on the main port. */
  scrape: () => Promise<string> = () => Promise.reject(new Error("not started"));
  /** The latest head of every worker chain seen (from heads() and from the final replies at stop). */
  private known = new Map<string, Head>();
  stopping = false;
  rt: Runtime | null = null;
  port = 0;

  constructor(
    private readonly count: number,
    private readonly config: (index: number) => WorkerConfig,
  ) {}

  /** Forks every worker; resolves once all listen, rejects if one exits before it listens. */
  async start(): Promise<void> {
    cluster.setupPrimary({ exec: join(import.meta.dirname, "worker-entry.mjs"), args: [], silent: false });
    const first: Array<Promise<void>> = [];
    for (let i = 1; i <= this.count; i++) {
      const slot: Slot = { index: i, worker: null, restarts: 0, startedAt: 0 };
      this.slots.push(slot);
      first.push(this.fork(slot, true));
    }
    await Promise.all(first);
  }

  /**
   * Forks the slot's worker. At the node's start, a worker that exits before it listens fails the start;
   * afterwards every exit, before listening or after (a restart while PostgreSQL is unreachable), is
   * followed by another fork after the back-off: the node never runs short of a worker for good.
   */
  private fork(slot: Slot, atStart: boolean): Promise<void> {
    const w = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(this.config(slot.index)) });
    slot.worker = w;
    slot.startedAt = Date.now();
    w.on("message", (m: unknown) => void this.onMessage(w, m));
    return new Promise<void>((resolve, reject) => {
      let listening = false;
      w.once("listening", (addr) => {
        listening = true;
        this.port = addr.port;
        resolve();
      });
      w.once("exit", (code, signal) => {
        slot.worker = null;
        if (this.stopping) return;
        const how = signal ?? `code ${code}`;
        if (!listening && atStart) return reject(new Error(`data-plane worker ${slot.index} exited before it listened (${how})`));
        if (Date.now() - slot.startedAt > HEALTHY_AFTER_MS) slot.restarts = 0;
        const wait = RESTART_BACKOFF_MS[Math.min(slot.restarts, RESTART_BACKOFF_MS.length - 1)];
        slot.restarts++;
        warn(`data-plane worker ${slot.index} exited${listening ? "" : " before it listened"} (${how}): restarting it in ${wait / 1000} s`);
        resolve();
        setTimeout(() => {
          if (!this.stopping) void this.fork(slot, false);
        }, wait).unref();
      });
    });
  }

  private live(except: Worker | null): Worker[] {
    return this.slots.flatMap((s) => (s.worker && s.worker !== except && s.worker.isConnected() ? [s.worker] : []));
  }

  private send(w: Worker, m: ToWorker): void {
    try {
      w.send(m);
    } catch {
      // it is exiting: its exit settles what it owed
    }
  }

  /** A barrier in every worker but `except`; a worker that does not acknowledge in time is killed. */
  async barrier(change: Change | null, except: Worker | null): Promise<void> {
    await Promise.all(
      this.live(except).map(async (w) => {
        const { id, reply } = this.replies.open(BARRIER_TIMEOUT_MS, () => {
          warn(`data-plane worker ${w.id} did not apply a change within ${BARRIER_TIMEOUT_MS} ms: killing it (it restarts with empty caches)`);
          w.process.kill("SIGKILL");
        });
        let onExit = () => {};
        const gone = new Promise<null>((r) => w.once("exit", (onExit = () => r(null))));
        this.send(w, { t: "barrier", id, change });
        await Promise.race([reply, gone]).finally(() => w.off("exit", onExit));
      }),
    );
  }

  /**
   * Every worker's chain heads, from its memory (a worker that does not answer in time is left out), and
   * the final heads of workers that stopped.
   */
  async heads(): Promise<Head[]> {
    const all = await Promise.all(
      this.live(null).map((w) => {
        const { id, reply } = this.replies.open(HEADS_TIMEOUT_MS);
        this.send(w, { t: "heads", id });
        return reply;
      }),
    );
    this.remember(all.flatMap((h) => h ?? []));
    return [...this.known.values()];
  }

  /** Every live worker's metrics (a worker that does not answer in time is left out). */
  async metrics(): Promise<ProcessMetrics[]> {
    const all = await Promise.all(
      this.live(null).map((w) => {
        const { id, reply } = this.scrapes.open(METRICS_TIMEOUT_MS);
        this.send(w, { t: "metrics", id });
        return reply;
      }),
    );
    return all.flatMap((m) => (m ? [m] : []));
  }

  private remember(heads: Head[]): void {
    for (const h of heads) if (h.seq >= (this.known.get(h.chain_id)?.seq ?? 0)) this.known.set(h.chain_id, h);
  }

  private async onMessage(w: Worker, raw: unknown): Promise<void> {
    const p = fromWorker.safeParse(raw);
    if (!p.success) return warn(`data-plane worker ${w.id}: unexpected message ignored`);
    const m = p.data;
    if (m.t === "reply") return this.replies.settle(m.id, m.heads ?? []);
    if (m.t === "kick") return this.rt?.kickWebhooks();
    if (m.t === "metrics") return this.scrapes.settle(m.id, fromIpc(m.metrics));
    if (m.t === "scrape") {
      const text = await this.scrape().catch((err: Error) => (warn(`metrics scrape failed: ${err.message}`), null));
      return this.send(w, { t: "scraped", id: m.id, text });
    }
    // A barrier asked by a worker: here, and in every other worker.
    await Promise.all([this.rt?.applyFromPeer(m.change), this.barrier(m.change, w)]).catch((err: Error) => warn(`barrier: ${err.message}`));
    this.send(w, { t: "reply", id: m.id });
  }

  /** Asks every worker to stop, keeps their final heads, and waits for them to exit (killed after `ms`). */
  async stop(ms: number): Promise<void> {
    this.stopping = true;
    const ws = this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((r) => {
            if (w.isDead()) return r();
            const t = setTimeout(() => w.process.kill("SIGKILL"), ms);
            w.once("exit", () => (clearTimeout(t), r()));
            const { id, reply } = this.replies.open(ms);
            void reply.then((heads) => this.remember(heads ?? []));
            this.send(w, { t: "stop", id });
          }),
      ),
    );
    this.replies.settleAll();
    this.scrapes.settleAll();
  }
}

/** A worker's metrics as sent over IPC (JSON: NaN became null) → prom-client's JSON again. */
function fromIpc(metrics: Extract<FromWorker, { t: "metrics" }>["metrics"]): ProcessMetrics {
  return metrics.map((m) => ({ ...m, values: m.values.map((v) => ({ ...v, value: v.value ?? NaN })) })) as unknown as ProcessMetrics;
}

/** The console's loopback listener: only requests from this node's workers (they carry the secret). */
async function consoleListener(con: Console, secret: string): Promise<Server> {
  const expected = Buffer.from(secret);
  const server = createServer((req, res) => {
    const given = Buffer.from(String(req.headers[SECRET_HEADER] ?? ""));
    const peer = String(req.headers[PEER_HEADER] ?? "");
    delete req.headers[SECRET_HEADER];
    delete req.headers[PEER_HEADER];
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !peer) {
      res.writeHead(403, { "content-type": "text/plain" }).end("only the node's data-plane workers reach the console here\n");
      return;
    }
    const pathname = (req.url ?? "/").split("?")[0];
    con.handle(req, res, pathname, peer);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return server;
}

export async function startPrimary(opts: StartOptions, count: number): Promise<void> {
  const e = env();
  const db = await connectDatabase(log, { adopt: true });
  const creds = await prepareDatabase({ seed: true });
  const { node, publicUrl } = nodeIdentity();
  ensureAuthSecret(e.dataDir, publicUrl);
  let consoleAt: WorkerConfig["console"] = null; // set below, before the first worker is forked
  const workers = new Workers(count, (index) => ({
    index,
    node: `${node}/w${index}`,
    databaseUrl: db.url,
    publicUrl,
    console: consoleAt,
  }));
  const rt = await startRuntime({
    ...runtimeOptions(publicUrl),
    node,
    peers: { barrier: (change) => workers.barrier(change, null), kickWebhooks: () => {} },
    duties: nodeDuties(db.embedded, () => workers.heads()),
  });
  workers.rt = rt;
  workers.scrape = async () => {
    const [own, others] = await Promise.all([processMetrics(), workers.metrics()]);
    return mergeMetrics([own, ...others]);
  };

  let con: Console | null = null;
  let consoleServer: Server | null = null;
  let metricsServer: Server | null = null;
  const stopAll = async () => {
    await closeMetricsListener(metricsServer);
    await workers.stop(10_000);
    consoleServer?.closeIdleConnections();
    await new Promise<void>((r) => (consoleServer ? consoleServer.close(() => r()) : r()));
    await con?.close().catch(() => {});
    await rt.stop().catch(() => {});
    await closePool().catch(() => {});
    if (db.embedded) await db.embedded.stop().catch((err) => warn(`stopping postgres: ${(err as Error).message}`));
  };
  try {
    if (opts.console !== false) {
      con = await startConsole({ dev: false, host: e.HOST, port: e.PORT, publicUrl, log });
      const secret = randomBytes(32).toString("base64url");
      consoleServer = await consoleListener(con, secret);
      const a = consoleServer.address();
      consoleAt = { port: typeof a === "object" && a ? a.port : 0, secret };
    }
    // Written before any worker listens: whoever sees the node up can read them.
    if (creds) writeCredentials(creds, e.dataDir);
    await workers.start();
    metricsServer = await startMetricsListener(e.MANDATE_METRICS_LISTEN, () => workers.scrape(), log);
  } catch (err) {
    await stopAll();
    throw err;
  }
  log(
    `node ${node} listening on http://${e.HOST}:${workers.port} with ${count} data-plane workers (database: ${db.embedded ? "embedded PostgreSQL" : "DATABASE_URL"})`,
  );
  if (creds) announceCredentials(creds, e.dataDir, publicUrl);

  // In the reverse order of the start: the workers (each its listener and runtime), the console, this
  // process's runtime, the pool, the database.
  stopOnSignals(stopAll, 25_000);
}
