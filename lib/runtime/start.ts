/**
 * The composition root: every part of a node is built here, in this order, into one Runtime (the
 * parts object, lib/runtime/runtime.ts), and rt.stop() ends them in the reverse order. Nothing adds
 * parts or behaviour to a runtime afterwards.
 *
 *   per process (every data-plane process of a node has its own):
 *     1. Cedar workers              5. audit chains (decisions, events, admin)
 *     2. caches of the decision path 6. approval long polls and the listeners after a commit
 *     3. AuthZEN caches             7. the change feed, wired to every cache above
 *     4. delegation and receipts    8. the console-session resolver (given by the server)
 *   per node (one process of the node runs them; `duties`):
 *     9. approval expiry sweeper and webhook worker
 *    10. signed checkpoints on timers (and a last one after the chains closed)
 *    11. the purge of expired replay values
 *    12. the embedded PostgreSQL's restarts, audited
 *    13. the audit deliverer to the SIEM sinks (lib/sinks: one node at a time per sink, by lease)
 *   then this process's metrics read this runtime (lib/telemetry/metrics.ts: `process` label, the node's
 *   pending approvals only where the duties run), and the runtime is published for the Next.js bundle (runtime()).
 *
 * The database pool, the Next.js app and the HTTP listener are the server's (server/main.ts), around
 * this: built before (pool) and after (console, listener) the runtime, stopped in reverse too.
 */
import { auditArchiveDir } from "../audit/archive-format.ts";
import { startAuditRetention } from "../audit/retention.ts";
import { DATABASE_RESTARTED_ENTRY } from "../audit/entries/index.ts";
import { adminAction } from "../audit/admin-action.ts";
import { AuditChain } from "../audit/chain.ts";
import { ChainPool } from "../audit/chain-pool.ts";
import { startCheckpointTimers } from "../audit/checkpoint-timers.ts";
import { writeCheckpoint, type ChainHead } from "../audit/checkpoints.ts";
import { expireDue } from "../approvals/expire.ts";
import { approvalListener, startExpirySweeper, startNotificationWorker } from "../approvals/service.ts";
import { ApprovalWaiters } from "../approvals/waiters.ts";
import { createAuthzenState } from "../authzen/state.ts";
import type { EmbeddedDb } from "../db/embedded.ts";
import { JwtReceiptSigner } from "../delegation/receipts.ts";
import { startDelegation } from "../delegation/service.ts";
import type { SessionResolver } from "../http/route.ts";
import { CredentialCache } from "../identity/credential-cache.ts";
import { CallCounter } from "../inventory/call-counter.ts";
import { AgentCounters } from "../counters/agent-counters.ts";
import { ToolCache } from "../inventory/tool-cache.ts";
import { CedarEvaluator } from "../policy/evaluator.ts";
import { PolicyCache } from "../policy/policy-cache.ts";
import { purgeExpiredReplayValues } from "../policy/replay-values.ts";
import { SessionCache } from "../sessions/session-cache.ts";
import { getPool } from "../db/pool.ts";
import { startProcessMetrics, type MetricsSource, type SinkMetrics } from "../telemetry/metrics.ts";
import { startTracing, stopTracing } from "../telemetry/tracing.ts";
import { ChangeFeed } from "./change-feed.ts";
import { SinkDeliverer } from "../sinks/deliverer.ts";
import { listSinks } from "../sinks/sinks.ts";
import {
  defaultAuditChains,
  defaultNodeName,
  notifyListeners,
  publishRuntime,
  runtimeOrNull,
  type ChangeListener,
  type NodePeers,
  type Runtime,
  type RuntimeConfig,
} from "./runtime.ts";
import { logger } from "../telemetry/log.ts";

/** The node's duties: one process of a node runs them (today its only one). */
export interface NodeDuties {
  /** Signed checkpoints go to <dataDir>/checkpoints.jsonl. */
  dataDir: string;
  checkpointIntervalS: number;
  fullCheckpointIntervalS: number;
  checkpointWebhook?: string;
  /** Audit retention (lib/audit/retention.ts): archive months older than this many days (absent: never), into auditArchiveDir. */
  auditRetentionDays?: number;
  auditArchiveDir?: string;
  /** Audit sinks' delivery (lib/sinks/deliverer.ts); absent: the defaults. */
  sinks?: { maxBackoffS: number; maxAttempts: number };
  /** The embedded PostgreSQL this node started or took over (supervised; restarts are audited), or null. */
  embedded: EmbeddedDb | null;
  /** The chain heads of the node's other processes, from their memory (server/cluster-primary.ts). */
  peerHeads?: () => Promise<ChainHead[]>;
  log: (m: string) => void;
}

export interface StartOptions extends Partial<RuntimeConfig> {
  /** false: do not LISTEN (the feed is then never current). */
  listenChanges?: boolean;
  consoleSessions?: SessionResolver | null;
  /** null: this process runs none of the node's duties (a data-plane worker, a second runtime in a test process). */
  duties?: NodeDuties | null;
  /** The other processes of this node (server/cluster-*.ts); null: this is the node's only process. */
  peers?: NodePeers | null;
  /** The `process` label of this process's metrics (lib/telemetry/metrics.ts): `main` unless given (`w<i>`). */
  metricsProcess?: string;
}

const PURGE_MS = 3_600_000;

type Kick = { kick: () => void };

/** What was started, to stop in reverse order; a part that fails to stop is logged and the rest still stop. */
class Started {
  private parts: Array<{ what: string; stop: () => unknown }> = [];

  add(what: string, stop: () => unknown): void {
    this.parts.push({ what, stop });
  }

  async stopAll(): Promise<void> {
    for (const p of this.parts.splice(0).reverse()) {
      try {
        await p.stop();
      } catch (err) {
        logger.error(`stopping ${p.what} failed`, { component: "runtime", err });
      }
    }
  }
}

export async function startRuntime(opts: StartOptions = {}): Promise<Runtime> {
  const existing = runtimeOrNull();
  if (existing) return existing;
  const config: RuntimeConfig = {
    node: opts.node ?? defaultNodeName(),
    cedarWorkers: opts.cedarWorkers ?? 1,
    approvalTtlSeconds: opts.approvalTtlSeconds ?? 900,
    publicUrl: opts.publicUrl ?? "http://127.0.0.1:3000",
    failClosedOnPolicyError: opts.failClosedOnPolicyError ?? true,
    auditChains: opts.auditChains ?? defaultAuditChains(),
  };
  const started = new Started();
  // The webhook worker is a duty (step 9); an event queued by a listener (step 6) starts it at once
  // (in another process of the node: the one that runs the duties).
  const peers = opts.peers ?? null;
  const webhooks: Kick = { kick: () => peers?.kickWebhooks() };
  try {
    const rt = await startProcessParts(config, opts, started, webhooks);
    if (opts.duties) startNodeDuties(rt, opts.duties, started, webhooks);
    started.add("metrics", startProcessMetrics(opts.metricsProcess ?? "main", metricsSource(rt, !!opts.duties)));
    // OpenTelemetry traces (off unless OTEL_TRACES_EXPORTER=otlp): the SDK is loaded only then.
    await startTracing("mandate", { "service.instance.id": `${config.node}/${opts.metricsProcess ?? "main"}` });
    started.add("tracing", () => stopTracing());
    publishRuntime(rt);
    started.add("the published runtime", () => publishRuntime(null));
    return rt;
  } catch (err) {
    await started.stopAll();
    throw err;
  }
}

/** Steps 1–8: the parts every data-plane process has. */
async function startProcessParts(config: RuntimeConfig, opts: StartOptions, started: Started, webhooks: Kick): Promise<Runtime> {
  const peers = opts.peers ?? null;
  // 1. Cedar workers (worker threads), shared by every policy store.
  const evaluator = new CedarEvaluator(config.cedarWorkers);
  started.add("Cedar workers", () => evaluator.close());

  // 2. Caches of the decision path; usage (last used, call counts) is flushed on timers and at stop.
  const credentials = new CredentialCache();
  started.add("credential cache", async () => {
    credentials.stop();
    await credentials.flushLastUsed();
  });
  const callCounter = new CallCounter();
  started.add("call counter", () => callCounter.stop());
  // Per-agent counters: the other processes' counts of the last hour are read before the first decision.
  const agentCounters = new AgentCounters();
  await agentCounters.start();
  started.add("agent counters", () => agentCounters.stop());
  const tools = new ToolCache();
  const policies = new PolicyCache(evaluator);
  const sessions = new SessionCache();

  // 3. AuthZEN: PEP keys, policy stores, the directory, agent lookups.
  const authzen = createAuthzenState();
  started.add("AuthZEN caches", () => authzen.stop());

  // 4. Delegation (signing keys loaded now: a wrong master key fails the start), receipts on a worker.
  const delegation = await startDelegation();
  const receipts = new JwtReceiptSigner(delegation.keys);
  started.add("receipt signer", () => receipts.close());
  // Registered before the chains, so it runs after they closed: it signs their final heads, from memory
  // (Ctrl-C in a terminal reaches the embedded PostgreSQL too, which may be shutting down by then),
  // with those of the node's other processes.
  const duties = opts.duties;
  let heads: () => ChainHead[] = () => [];
  if (duties)
    started.add("the last checkpoint", async () =>
      writeCheckpoint(duties.dataDir, { onlyIfChanged: true, heads: [...heads(), ...((await duties.peerHeads?.()) ?? [])] }),
    );

  // 5. Audit chains: this process's own (each registered in audit_chains on first use).
  const decisionChain = new ChainPool(config.node, config.auditChains);
  const eventChain = new AuditChain(`${config.node}/events`);
  const adminChain = new AuditChain(`${config.node}/admin`);
  heads = () => [...decisionChain.heads, eventChain.currentHead, adminChain.currentHead];
  started.add("audit chains", () => Promise.all([decisionChain.close(), eventChain.close(), adminChain.close()]));

  // 6. Approval long polls, and the listeners run after a commit (notifyListeners: shielded).
  const approvalWaiters = new ApprovalWaiters();
  started.add("approval long polls", () => approvalWaiters.wakeAll());
  const listeners: ChangeListener[] = [approvalListener(approvalWaiters, config.publicUrl, () => webhooks.kick())];

  // 7. The change feed: every cache above drops what changed on any node, and everything when the
  // feed cannot vouch for it. Synchronous: a change is applied as its notification arrives (the
  // feed's heartbeat relies on it).
  const changes = new ChangeFeed(config.node);
  const invalidate = (table: string, key: string) => {
    credentials.invalidate(table, key);
    if (table === "policy_versions") policies.invalidate(key);
    if (table === "sessions") sessions.invalidate(key);
    if (table === "tools" || table === "tool_servers") tools.invalidate(key);
    delegation.verifier.invalidate(table, key);
    authzen.invalidate(table, key);
    if (table === "approvals") approvalWaiters.wake(key);
  };
  changes.on(invalidate);
  changes.onReset(() => {
    credentials.clear();
    tools.clear();
    policies.clear();
    sessions.clear();
    delegation.verifier.clear();
    authzen.clear();
    approvalWaiters.wakeAll();
  });
  if (opts.listenChanges !== false) await changes.start();
  started.add("change feed", () => changes.stop());

  // 8. The console's sessions on data-plane routes (given by the server: next-auth's cookie).
  return {
    config,
    evaluator,
    credentials,
    tools,
    policies,
    sessions,
    authzen,
    delegation,
    receipts,
    decisionChain,
    eventChain,
    adminChain,
    callCounter,
    agentCounters,
    approvalWaiters,
    listeners,
    changes,
    consoleSessions: opts.consoleSessions ?? null,
    // In force in every process of this node before it returns (the peers' barrier), on other nodes
    // through the change feed.
    async applyChange(table, key) {
      invalidate(table, key);
      await peers?.barrier({ table, key });
    },
    sync: async () => {
      await Promise.all([changes.sync(), peers?.barrier(null)]);
    },
    kickWebhooks: () => webhooks.kick(),
    async applyFromPeer(change) {
      if (change) invalidate(change.table, change.key);
      await changes.sync();
    },
    emit: (type, data) => notifyListeners(listeners, type, data),
    stop: () => started.stopAll(),
  };
}

/** What this process's metrics read when scraped; the node's approvals only where its duties run (one process). */
function metricsSource(rt: Runtime, node: boolean): MetricsSource {
  return {
    chainQueues: () => ({
      decisions: rt.decisionChain.chains.reduce((n, c) => n + c.queued, 0),
      events: rt.eventChain.queued,
      admin: rt.adminChain.queued,
    }),
    feed: () => {
      const s = rt.changes.state();
      return {
        current: s.current,
        connected: s.connected,
        confirmedSecondsAgo: s.confirmed_ms_ago === null ? null : s.confirmed_ms_ago / 1000,
        reconnects: s.reconnects,
        cacheClears: s.cache_clears,
      };
    },
    approvals: node ? pendingApprovals : undefined,
    sinks: node ? sinkMetrics : undefined,
  };
}

async function pendingApprovals(): Promise<{ pending: number; oldestSeconds: number }> {
  const r = await getPool().query<{ n: number; age: number | null }>(
    `SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS age FROM approvals WHERE status = 'pending'`,
  );
  return { pending: r.rows[0].n, oldestSeconds: r.rows[0].age ?? 0 };
}

async function sinkMetrics(): Promise<SinkMetrics[]> {
  return (await listSinks()).map((s) => ({
    name: s.name,
    lag: s.lag,
    oldestSeconds: s.oldest_undelivered_seconds,
    deadLetters: s.dead_letters,
    failing: s.last_error !== null,
  }));
}

/** The heads of this process's chains, from memory. */
export function ownHeads(rt: Runtime): ChainHead[] {
  return [...rt.decisionChain.heads, rt.eventChain.currentHead, rt.adminChain.currentHead].filter((h) => h.seq > 0);
}

/** Steps 9–12: the node's duties. */
function startNodeDuties(rt: Runtime, d: NodeDuties, started: Started, webhooks: Kick): void {
  // 9. Approvals: expire due ones; deliver webhook notifications (claimed with a lease: any node may).
  started.add(
    "approval expiry sweeper",
    startExpirySweeper(() => expireDue(rt)),
  );
  const worker = startNotificationWorker();
  webhooks.kick = () => worker.kick();
  started.add("webhook worker", () => {
    webhooks.kick = () => {};
    worker.stop();
  });

  // 10. Signed checkpoints of this node's chains (from memory) and of every chain (as stored).
  started.add(
    "checkpoint timers",
    startCheckpointTimers({
      dataDir: d.dataDir,
      intervalS: d.checkpointIntervalS,
      fullIntervalS: d.fullCheckpointIntervalS,
      webhook: d.checkpointWebhook,
      ownHeads: async () => [...ownHeads(rt), ...((await d.peerHeads?.()) ?? [])],
      log: d.log,
    }),
  );

  // 11. Real argument values kept for what-if replay, past their retention.
  const purge = setInterval(() => void purgeExpiredReplayValues().catch(() => {}), PURGE_MS);
  purge.unref();
  started.add("replay values purge", () => clearInterval(purge));
  // …and the audit log's month partitions ahead, and its archives past MANDATE_AUDIT_RETENTION_DAYS (lib/audit/retention.ts).
  started.add(
    "audit partitions and retention",
    startAuditRetention({
      rt,
      dataDir: d.dataDir,
      archiveDir: d.auditArchiveDir ?? auditArchiveDir(d.dataDir),
      retentionDays: d.auditRetentionDays,
      log: d.log,
    }),
  );

  // 12. The embedded PostgreSQL's supervisor restarts it when it dies: each restart is audited.
  const db = d.embedded;
  if (db) {
    db.onRestart = (info) => {
      void adminAction(rt, async () => ({
        result: null,
        audit: DATABASE_RESTARTED_ENTRY.entry({ actor: `node:${rt.config.node}`, data: { ...info, database: "embedded PostgreSQL" } }),
      })).catch((err) => d.log(`could not audit the database restart: ${(err as Error).message}`));
    };
    started.add("database restart audit", () => (db.onRestart = undefined));
  }

  // 13. The audit to the SIEM sinks: reads committed entries only (never on the decision path).
  const sinks = new SinkDeliverer({ node: rt.config.node, ...(d.sinks ?? { maxBackoffS: 60, maxAttempts: 5 }) }).start();
  started.add("audit sink deliverer", () => sinks.stop());
}
