/**
 * A node's audit chain with group commit. Jobs submitted while a commit is in flight are queued and
 * committed together in ONE round trip (`SELECT mandate_commit($1)`), which also writes the session
 * state, approvals and outcome events that the entries describe — so an answer is never sent before
 * its audit entry is durable, and nothing is half-written.
 *
 * Conflicts (a session moved on another node, an approval already used, an event already recorded)
 * reject only the jobs that touch the conflicting keys with a ConflictError; the rest of the batch is
 * retried at once with fresh sequence numbers. Jobs of a transactional kind (admin actions) run alone,
 * inside their own transaction, between batches.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { sanitizeJson } from "../util/sanitize-json.ts";
import type { ApprovalWrite, EventWrite, SessionWrite, ToolCallWrite } from "./commit-batch.ts";
import { conflictingEventId, copyCommit } from "./copy-commit.ts";
import { GENESIS_HASH, linkEntries, type AuditEntryInput, type AuditEntryRow } from "./hash.ts";
import { observeCommit } from "../telemetry/metrics.ts";

/** What a batch writes besides its entries: typed by mandate_commit's input contract (./commit-batch.ts). */
export type { ApprovalWrite, EventWrite, SessionWrite } from "./commit-batch.ts";

export interface CommitJob {
  entries: AuditEntryInput[];
  /** The entries' strings are known to be storable (the request body was sanitised): skip the walk. */
  sanitized?: boolean;
  sessions?: SessionWrite[];
  approvals?: ApprovalWrite[];
  approvalsUsed?: string[];
  events?: EventWrite[];
  toolCalls?: ToolCallWrite[];
}

export class ConflictError extends Error {
  constructor(readonly keys: string[]) {
    super(`conflict: ${keys.join(", ")}`);
    this.name = "ConflictError";
  }
}

interface Queued {
  job: CommitJob;
  resolve: (rows: AuditEntryRow[]) => void;
  reject: (e: Error) => void;
}

interface TxQueued {
  run: (client: pg.PoolClient, append: (entries: AuditEntryInput[]) => Promise<AuditEntryRow[]>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

function jobKeys(job: CommitJob): string[] {
  return [
    ...(job.sessions ?? []).map((s) => `session:${s.id}`),
    ...(job.approvalsUsed ?? []).map((a) => `approval:${a}`),
    ...(job.events ?? []).map((e) => `event:${e.event_id}`),
  ];
}

export class AuditChain {
  readonly id: string;
  private head = { seq: 0, hash: GENESIS_HASH };
  private queue: Queued[] = [];
  private txQueue: TxQueued[] = [];
  private flushing = false;
  private registered = false;
  /** The chain's own connection: batches commit one after another, always on the same backend. */
  private conn: pg.PoolClient | null = null;
  /**
   * A commit's outcome is unknown (its connection broke before the answer): the head in memory may be
   * behind the stored one. It is read back from PostgreSQL before the next commit.
   */
  private headUncertain = false;
  /** Number of batches committed, and of jobs in them (for metrics and tests). */
  stats = { batches: 0, jobs: 0, conflicts: 0 };

  /** What the chain carries, for its metrics: `events`, `admin` (node/events, node/admin), else `decisions`. */
  readonly kind: string;

  constructor(
    readonly node: string,
    private readonly pool: () => pg.Pool = getPool,
  ) {
    this.id = randomUUID();
    this.kind = node.endsWith("/events") ? "events" : node.endsWith("/admin") || node.startsWith("cli:") ? "admin" : "decisions";
  }

  /** Jobs waiting for the next batch. */
  get queued(): number {
    return this.queue.length + (this.flushing ? 1 : 0);
  }

  get currentHead(): { chain_id: string; seq: number; hash: string } {
    return { chain_id: this.id, ...this.head };
  }

  submit(job: CommitJob): Promise<AuditEntryRow[]> {
    if (!job.sanitized) job = { ...job, entries: job.entries.map((e) => sanitizeJson(e)), sessions: job.sessions?.map((s) => sanitizeJson(s)) };
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.kick();
    });
  }

  /** Runs `run` in its own transaction; entries appended through `append` commit with it. */
  transaction<T>(run: (client: pg.PoolClient, append: (entries: AuditEntryInput[]) => Promise<AuditEntryRow[]>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.txQueue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  private kick() {
    if (!this.flushing) {
      this.flushing = true;
      // An idle chain commits at once (jobs submitted in the same turn still join the batch); a busy
      // one batches whatever arrived while its commit was in flight (see loop()).
      queueMicrotask(() => void this.loop());
    }
  }

  private async ensureRegistered(q: pg.Pool | pg.PoolClient) {
    if (this.registered) return;
    await q.query("INSERT INTO audit_chains (id, node, started_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING", [this.id, this.node]);
    this.registered = true;
  }

  private async loop() {
    try {
      while (this.queue.length || this.txQueue.length) {
        if (this.txQueue.length) {
          const t = performance.now();
          await this.runTx(this.txQueue.shift()!);
          observeCommit(this.kind, 1, (performance.now() - t) / 1000);
          continue;
        }
        const batch = this.takeBatch();
        const t = performance.now();
        await this.commitBatch(batch);
        observeCommit(this.kind, batch.length, (performance.now() - t) / 1000);
      }
    } finally {
      this.flushing = false;
      if (this.queue.length || this.txQueue.length) this.kick();
    }
  }

  /**
   * The jobs of the next commit: every queued job, except that outcome-event jobs (committed by COPY)
   * go at most COPY_GROUP_ENTRIES entries at a time, so that the answers of one group go out (and
   * their connections send the next batches, which the node prepares) while the next group commits.
   */
  private takeBatch(): Queued[] {
    const q = this.queue;
    if (!q.length || !copyable(q[0])) {
      this.queue = [];
      return q;
    }
    let n = 0;
    let i = 0;
    while (i < q.length && copyable(q[i]) && (i === 0 || n + q[i].job.entries.length <= COPY_GROUP_ENTRIES)) n += q[i++].job.entries.length;
    this.queue = q.slice(i);
    return q.slice(0, i);
  }

  private async commitBatch(batch: Queued[]) {
    let pending = rejectRepeatedEvents(batch);
    while (pending.length) {
      const entries = pending.flatMap((q) => q.job.entries);
      const linked = linkEntries(this.id, this.head, entries);
      // Outcome events (entries and events only): COPY in a transaction (./copy-commit.ts).
      if (pending.every(copyable)) {
        const next = await this.commitByCopy(pending, linked);
        if (next === "retry") continue;
        if (next === "done") return;
        pending = next;
        continue;
      }
      const rest = JSON.stringify({
        sessions: pending.flatMap((q) => q.job.sessions ?? []),
        approvals: pending.flatMap((q) => q.job.approvals ?? []),
        approvals_used: pending.flatMap((q) => q.job.approvalsUsed ?? []),
        events: pending.flatMap((q) => q.job.events ?? []),
        tool_calls: mergeToolCalls(pending.flatMap((q) => q.job.toolCalls ?? [])),
      });
      // The entries' JSON is the canonical form their hashes were computed over (serialised once).
      const payload = `{"entries":[${linked.json.join(",")}],${rest.slice(1)}`;
      try {
        const conn = this.conn ?? (await this.connect());
        // Only the first batch waits for the registration (no extra turn before every commit).
        if (!this.registered) await this.ensureRegistered(conn);
        if (this.headUncertain) {
          await this.reloadHead(conn);
          continue; // link the batch again from the head as stored
        }
        // A named statement: parsed and planned once per connection, not on every batch. A commit
        // that does not come back (a stalled or cut connection) fails after COMMIT_TIMEOUT_MS.
        await conn.query({
          name: "mandate_commit",
          text: "SELECT mandate_commit($1::jsonb)",
          values: [payload],
          query_timeout: COMMIT_TIMEOUT_MS,
        } as pg.QueryConfig);
      } catch (err) {
        this.dropConnectionIfBroken(err);
        const e = err as { code?: string; detail?: string };
        if (e.code === "MD001") {
          this.stats.conflicts++;
          const keys = new Set((e.detail ?? "").split("\n").filter(Boolean));
          const keep: Queued[] = [];
          for (const q of pending) {
            const hit = jobKeys(q.job).filter((k) => keys.has(k));
            if (hit.length) q.reject(new ConflictError(hit));
            else keep.push(q);
          }
          if (keep.length === pending.length) {
            for (const q of keep) q.reject(new ConflictError([...keys]));
            return;
          }
          pending = keep;
          continue;
        }
        for (const q of pending) q.reject(err as Error);
        return;
      }
      this.settle(pending, linked);
      return;
    }
  }

  /**
   * One COPY commit of a batch of event jobs. "done": committed or failed (jobs settled); "retry": link
   * again (the head was reloaded); a list: the jobs left after the conflicting ones were rejected.
   */
  private async commitByCopy(pending: Queued[], linked: ReturnType<typeof linkEntries>): Promise<"done" | "retry" | Queued[]> {
    try {
      const conn = this.conn ?? (await this.connect());
      if (!this.registered) await this.ensureRegistered(conn);
      if (this.headUncertain) {
        await this.reloadHead(conn);
        return "retry";
      }
      await withTimeout(
        copyCommit(
          conn,
          linked.rows,
          pending.flatMap((q) => q.job.events ?? []),
        ),
        COMMIT_TIMEOUT_MS,
      );
    } catch (err) {
      this.dropConnectionIfBroken(err);
      const id = conflictingEventId(err);
      if (id !== null) {
        this.stats.conflicts++;
        const key = `event:${id}`;
        const keep = pending.filter((q) => !jobKeys(q.job).includes(key));
        // The id named could not be matched (or every job has it): all are told to filter again.
        const hit = keep.length === pending.length ? pending : pending.filter((q) => !keep.includes(q));
        for (const q of hit) q.reject(new ConflictError([key]));
        return hit === pending ? "done" : keep;
      }
      for (const q of pending) q.reject(err as Error);
      return "done";
    }
    this.settle(pending, linked);
    return "done";
  }

  private settle(pending: Queued[], linked: ReturnType<typeof linkEntries>) {
    this.head = linked.head;
    this.stats.batches++;
    this.stats.jobs += pending.length;
    let i = 0;
    for (const q of pending) {
      const n = q.job.entries.length;
      q.resolve(linked.rows.slice(i, i + n));
      i += n;
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    const c = await this.pool().connect();
    c.on("error", () => this.dropConnectionIfBroken(new Error("connection error")));
    this.conn = c;
    return c;
  }

  /**
   * SQL errors leave the connection usable; a broken or timed-out connection (no SQLSTATE, or a
   * connection-class one) is given back to be destroyed, and the commit in flight on it may or may
   * not have happened: the head is read back before the next commit.
   */
  private dropConnectionIfBroken(err: unknown) {
    if (!connectionLost(err)) return;
    this.headUncertain = true;
    const c = this.conn;
    this.conn = null;
    c?.release(err instanceof Error ? err : true);
  }

  private async reloadHead(q: pg.PoolClient): Promise<void> {
    const r = await q.query<Row<"audit_entries", "seq" | "hash">>("SELECT seq, hash FROM audit_entries WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1", [
      this.id,
    ]);
    this.head = r.rows[0] ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash } : { seq: 0, hash: GENESIS_HASH };
    this.headUncertain = false;
  }

  /** Gives the chain's connection back to the pool once the batch in flight, if any, is done (shutdown). */
  async close(): Promise<void> {
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    const c = this.conn;
    this.conn = null;
    c?.release();
  }

  private async runTx(t: TxQueued) {
    let client: pg.PoolClient;
    try {
      client = await this.pool().connect();
    } catch (err) {
      t.reject(err as Error);
      return;
    }
    let newHead: { seq: number; hash: string } | null = null;
    let broken: unknown = null;
    try {
      await this.ensureRegistered(client);
      if (this.headUncertain) await this.reloadHead(client);
      await client.query("BEGIN");
      const append = async (entries: AuditEntryInput[]) => {
        const linked = linkEntries(
          this.id,
          newHead ?? this.head,
          entries.map((e) => sanitizeJson(e)),
        );
        await client.query("SELECT mandate_commit($1::jsonb)", [`{"entries":[${linked.json.join(",")}]}`]);
        newHead = linked.head;
        return linked.rows;
      };
      const result = await t.run(client, append);
      await client.query("COMMIT");
      if (newHead) this.head = newHead;
      t.resolve(result);
    } catch (err) {
      // A ROLLBACK that fails means the connection broke, maybe during COMMIT, which may have
      // happened: the head is read back before the next commit.
      await client.query("ROLLBACK").catch((rollbackErr: unknown) => {
        this.headUncertain = true;
        broken = rollbackErr;
      });
      t.reject(err as Error);
    } finally {
      client.release(broken ? (broken instanceof Error ? broken : true) : undefined);
    }
  }
}

/** Entries of outcome events per COPY commit (a single larger job still goes alone). */
const COPY_GROUP_ENTRIES = 2000;

/** A commit that does not come back within this long fails (its connection is dropped). */
const COMMIT_TIMEOUT_MS = 10_000;

/** The connection is gone or unusable (as opposed to an SQL error on a healthy connection). */
function connectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code !== "string" || /^(08|57P0)/.test(code);
}

/** A job that writes only entries and outcome events (at least one): committed by COPY. */
function copyable(q: Queued): boolean {
  const j = q.job;
  return !!j.events?.length && !j.sessions?.length && !j.approvals?.length && !j.approvalsUsed?.length && !j.toolCalls?.length;
}

/**
 * Two jobs of one batch that record the same event id (the same events sent twice at once): the later
 * one is told to filter again (ConflictError) and finds the id recorded by the first.
 */
function rejectRepeatedEvents(batch: Queued[]): Queued[] {
  if (batch.length < 2) return batch;
  const seen = new Set<string>();
  return batch.filter((q) => {
    const ids = (q.job.events ?? []).map((e) => e.event_id);
    const repeated = ids.filter((id) => seen.has(id));
    if (repeated.length) {
      q.reject(new ConflictError(repeated.map((id) => `event:${id}`)));
      return false;
    }
    for (const id of ids) seen.add(id);
    return true;
  });
}

/** `p`, or an error without SQLSTATE after `ms` (treated as a lost connection: the connection is dropped). */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`commit did not complete within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function mergeToolCalls(calls: Array<{ tool_id: string; n: number }>) {
  const m = new Map<string, number>();
  for (const c of calls) m.set(c.tool_id, (m.get(c.tool_id) ?? 0) + c.n);
  return [...m.entries()].map(([tool_id, n]) => ({ tool_id, n }));
}
