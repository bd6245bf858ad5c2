/**
 * The process's Prometheus metrics (prom-client). Each process of a node has its own registry; the
 * node's scrape merges them (lib/telemetry/scrape.ts, server/metrics-endpoint.ts): every series carries
 * a `process` label (`main`: the node's only process or its primary; `w<i>`: data-plane worker i), so
 * nothing is summed across processes at scrape time and a worker's restart is a counter reset of its
 * own series, which PromQL's rate()/increase() handle; `sum()` over `process` gives the node.
 *
 * The decision path only adds to plain numbers (the decision counter and histogram are kept here and
 * handed to prom-client in their `collect`, when scraped: no label hash, no allocation per decision);
 * the other metrics are read when scraped too (collect callbacks).
 *
 * Label cardinality is bounded by construction: outcomes (3), reason classes (the `mandate.*` codes of
 * lib/, plus `policy` and `none`: never a Cedar policy id, an agent, a tool or a session), chain kinds
 * (decisions, events, admin), cache results (hit, miss), and `process` (≤ 64 workers + main).
 *
 * A registry of this module, never prom-client's global one: the Next.js bundle loads its own copy of
 * this module and must not collide with the server's registrations.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const registry = new Registry();

const DECISION_OUTCOMES = new Set(["allow", "deny", "require_approval"]);
/** A reason's policy id: a built-in check's code (bounded: literals of lib/), else a Cedar policy's id (unbounded). */
const BUILTIN = /^mandate\.[a-z_]{1,40}$/;

/** Decisions answered per outcome, then per reason class (plain counts; see `collect` below). */
const decisionCounts = new Map<string, Map<string, number>>();

new Counter({
  name: "mandate_decisions_total",
  help: "MCP tool-call decisions answered, by outcome and reason class (the first reason's built-in code, `policy` for a Cedar policy, `none` without reason).",
  labelNames: ["outcome", "reason_class"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [outcome, byClass] of decisionCounts) for (const [reason_class, n] of byClass) this.inc({ outcome, reason_class }, n);
  },
});

const DECISION_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** The decision histogram's counts per bucket (not cumulative; the last one is +Inf), sum and count. */
const decisionHist = { buckets: new Float64Array(DECISION_BUCKETS.length + 1), sum: 0, count: 0 };

new Histogram({
  name: "mandate_decision_duration_seconds",
  help: "Time to answer a decision in Mandate, from its start in the decision pipeline to its answer (audit entry committed, receipt signed).",
  buckets: DECISION_BUCKETS,
  registers: [registry],
  collect() {
    // prom-client has no call to set a histogram's counts: its one label-less series is set as
    // `observe` leaves it (prom-client 15's shape; metrics.test.ts checks the exposition against
    // prom-client's own histogram fed the same values).
    // Before the first decision too: prom-client shows a label-less histogram's zero buckets (the test's
    // first case is sometimes no decision at all).
    const bucketValues: Record<number, number> = {};
    DECISION_BUCKETS.forEach((b, i) => (bucketValues[b] = decisionHist.buckets[i]!));
    (this as unknown as { hashMap: Record<string, unknown> }).hashMap = {
      "": { labels: {}, bucketValues, sum: decisionHist.sum, count: decisionHist.count },
    };
  },
});

const commitJobs = new Histogram({
  name: "mandate_audit_commit_batch_jobs",
  help: "Jobs (decisions, event batches, admin actions) per group commit of an audit chain.",
  labelNames: ["chain"] as const,
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [registry],
});

const commitSeconds = new Histogram({
  name: "mandate_audit_commit_duration_seconds",
  help: "Duration of one group commit of an audit chain (PostgreSQL round trip included).",
  labelNames: ["chain"] as const,
  buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

const cacheLookups = new Counter({
  name: "mandate_decision_cache_lookups_total",
  help: "Lookups of the exact decision cache (lib/policy/decision-cache.ts) by result; hit ratio = hit / (hit + miss).",
  labelNames: ["result"] as const,
  registers: [registry],
});

const eventsIngested = new Counter({
  name: "mandate_events_ingested_total",
  help: "Outcome events recorded from enforcement agents (duplicates not counted).",
  registers: [registry],
});

/** Decision outcome → reason class, for the decision counter (bounded, see above). */
export function reasonClass(reasons: ReadonlyArray<{ policy: string }>): string {
  const first = reasons[0]?.policy;
  if (first === undefined) return "none";
  return BUILTIN.test(first) ? first : "policy";
}

/** A decision answered (hot path: plain numbers, handed to prom-client when scraped). */
export function observeDecision(outcome: string, reasons: ReadonlyArray<{ policy: string }>, seconds: number): void {
  const o = DECISION_OUTCOMES.has(outcome) ? outcome : "other";
  let byClass = decisionCounts.get(o);
  if (!byClass) decisionCounts.set(o, (byClass = new Map<string, number>()));
  const rc = reasonClass(reasons);
  byClass.set(rc, (byClass.get(rc) ?? 0) + 1);
  if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`); // as prom-client's observe
  let i = 0;
  while (i < DECISION_BUCKETS.length && seconds > DECISION_BUCKETS[i]) i++;
  decisionHist.buckets[i]++;
  decisionHist.sum += seconds;
  decisionHist.count++;
}

/** One group commit of a chain (`decisions`, `events`, `admin`, `other`). */
export function observeCommit(chain: string, jobs: number, seconds: number): void {
  commitJobs.observe({ chain }, jobs);
  commitSeconds.observe({ chain }, seconds);
}

export function observeCacheLookup(hit: boolean): void {
  cacheLookups.inc({ result: hit ? "hit" : "miss" });
}

export function observeEventsIngested(n: number): void {
  if (n > 0) eventsIngested.inc(n);
}

/** What a process's collectors read when scraped (given by the composition root: lib/runtime/metrics-source.ts). */
export interface MetricsSource {
  /** Jobs waiting in each kind of chain (queued, not yet committed). */
  chainQueues(): Record<string, number>;
  /** The change feed: current (1/0), connected (1/0), seconds since the last heartbeat came back, reconnects, cache clears. */
  feed(): { current: boolean; connected: boolean; confirmedSecondsAgo: number | null; reconnects: number; cacheClears: number };
  /** Pending approvals and the age of the oldest (seconds), node-wide from PostgreSQL; only in the process that runs the node's duties. */
  approvals?: () => Promise<{ pending: number; oldestSeconds: number }>;
  /** Every audit sink's delivery status, node-wide from PostgreSQL; only in the process that runs the node's duties. */
  sinks?: () => Promise<SinkMetrics[]>;
}

/** One audit sink as its gauges show it (lib/sinks/sinks.ts listSinks). */
export interface SinkMetrics {
  name: string;
  lag: number;
  oldestSeconds: number;
  deadLetters: number;
  failing: boolean;
}

let source: MetricsSource | null = null;

new Gauge({
  name: "mandate_audit_chain_queued_jobs",
  help: "Jobs queued in the process's audit chains, waiting for their group commit (the chain's lag).",
  labelNames: ["chain"] as const,
  registers: [registry],
  collect() {
    this.reset();
    if (source) for (const [chain, n] of Object.entries(source.chainQueues())) this.set({ chain }, n);
  },
});

const feedGauge = (name: string, help: string, read: (f: ReturnType<MetricsSource["feed"]>) => number | null) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      const v = source ? read(source.feed()) : null;
      if (v !== null) this.set(v);
    },
  });
feedGauge("mandate_change_feed_current", "1 while the change feed is current (LISTEN up, a heartbeat back within 1 s), else 0.", (f) => (f.current ? 1 : 0));
feedGauge("mandate_change_feed_connected", "1 while the change feed's LISTEN connection is up.", (f) => (f.connected ? 1 : 0));
feedGauge("mandate_change_feed_heartbeat_age_seconds", "Seconds since the change feed's last heartbeat came back.", (f) => f.confirmedSecondsAgo);
feedGauge("mandate_change_feed_reconnects", "Times the change feed reconnected since the process started.", (f) => f.reconnects);
feedGauge("mandate_change_feed_cache_clears", "Times every cache was cleared because the change feed could not vouch for them.", (f) => f.cacheClears);

const SCRAPE_READ_TIMEOUT_MS = 2_000;

/**
 * A read of PostgreSQL shared by the gauges of one scrape: at most one query per scrape (the gauges'
 * collect callbacks run together), and a failure or a timeout answers null (the gauges say so).
 */
function oncePerScrape<T>(read: () => (() => Promise<T>) | undefined): () => Promise<T | null> {
  let inFlight: Promise<T | null> | null = null;
  return () => {
    const r = read();
    if (!r) return Promise.resolve(null);
    inFlight ??= Promise.race([r(), new Promise<null>((done) => setTimeout(() => done(null), SCRAPE_READ_TIMEOUT_MS).unref())])
      .catch(() => null)
      .finally(() => setTimeout(() => (inFlight = null), 100).unref());
    return inFlight;
  };
}

const readApprovals = oncePerScrape(() => source?.approvals);
const readSinks = oncePerScrape(() => source?.sinks);

/** Registered only in the process that runs the node's duties (a label-less gauge always shows a value). */
function approvalGauges(): void {
  new Gauge({
    name: "mandate_approvals_pending",
    help: "Approvals waiting for a human, in the whole database (all nodes); NaN when it could not be read.",
    registers: [registry],
    async collect() {
      const a = await readApprovals();
      this.set(a ? a.pending : NaN);
    },
  });
  new Gauge({
    name: "mandate_approvals_oldest_pending_age_seconds",
    help: "Age of the oldest pending approval (0: none pending); NaN when it could not be read.",
    registers: [registry],
    async collect() {
      const a = await readApprovals();
      this.set(a ? a.oldestSeconds : NaN);
    },
  });
}

/**
 * The audit sinks' gauges, one series per sink (`sink`: its name, set by an admin: bounded). Database-wide
 * like the approvals: every node reports the same values (take max() across nodes, not sum()). A sink that
 * could not be read is left out of the scrape and mandate_sinks_read_ok says 0.
 */
function sinkGauges(): void {
  const perSink = (name: string, help: string, value: (s: SinkMetrics) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["sink"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of (await readSinks()) ?? []) this.set({ sink: s.name }, value(s));
      },
    });
  perSink("mandate_sink_lag_entries", "Audit entries written and not yet acknowledged by the sink's receiver, over every chain.", (s) => s.lag);
  perSink(
    "mandate_sink_oldest_undelivered_seconds",
    "Age of the oldest audit entry the sink's receiver has not acknowledged (0: none waiting).",
    (s) => s.oldestSeconds,
  );
  perSink(
    "mandate_sink_dead_letters",
    "Entries in the sink's dead-letter list (refused for good by its receiver; the sink moved past them).",
    (s) => s.deadLetters,
  );
  perSink("mandate_sink_failing", "1 while the sink's last send failed (an error since its last delivery), else 0.", (s) => (s.failing ? 1 : 0));
  new Gauge({
    name: "mandate_sinks_read_ok",
    help: "1 when the sinks' status could be read from PostgreSQL for this scrape, else 0 (the mandate_sink_* series are then missing).",
    registers: [registry],
    async collect() {
      this.set((await readSinks()) === null ? 0 : 1);
    },
  });
}

let defaultsOn = false;

/**
 * Makes this process's registry report `src` under `process` (once per process: a server process, not
 * the CLI). Also turns on prom-client's process metrics (CPU, memory, handles, GC, event-loop lag).
 * Returns what undoes it.
 */
export function startProcessMetrics(processLabel: string, src: MetricsSource): () => void {
  source = src;
  registry.setDefaultLabels({ process: processLabel });
  if (!defaultsOn) {
    defaultsOn = true;
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    // Gauges named like counters (promtool's lint refuses them); their per-type twins without the
    // suffix (nodejs_active_handles{type=…}, …) stay.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) registry.removeSingleMetric(name);
  }
  if (src.approvals && !registry.getSingleMetric("mandate_approvals_pending")) approvalGauges();
  if (src.sinks && !registry.getSingleMetric("mandate_sink_lag_entries")) sinkGauges();
  return () => {
    if (source === src) source = null;
  };
}
