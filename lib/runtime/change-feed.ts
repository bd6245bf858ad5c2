/**
 * Cross-node cache invalidation, with bounded staleness. Database triggers NOTIFY "mandate_changes"
 * with "<table>:<key>" on every relevant change; each node LISTENs on one connection of its own and
 * drops what changed.
 *
 * How current is this node? PostgreSQL delivers notifications to a listener in commit order. Every
 * HEARTBEAT_MS the feed sends a notification on a channel of its own (`pg_notify`) and notes when it
 * sent it; when it comes back, every change committed before that moment has been delivered and
 * applied (handlers run synchronously as each notification arrives). So `confirmedAt` is a time up to
 * which the caches are known to be current, and the feed is *current* while it is under STALE_MS old.
 *
 * When it is not (the LISTEN connection died, PostgreSQL restarted, a network cut, a stalled
 * connection), the node does not trust what it cached: `ensureCurrent()` (called before every
 * data-plane request) clears every cache at most every STALE_MS, so everything used was read from
 * PostgreSQL less than STALE_MS ago, or the request fails (the database is unreachable → 503).
 * Meanwhile the feed reconnects with back-off capped at MAX_BACKOFF_MS; once LISTEN is back it clears
 * every cache again (notifications may have been missed) and is current once its first heartbeat
 * returns. `sync()` is the same barrier on demand: after a change committed on this node, it returns
 * once the node has applied every change committed before it (or, if the feed cannot confirm that in
 * time, after clearing every cache): a change is in force here before it is answered.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { databaseUrl } from "../db/pool.ts";
import { logger } from "../telemetry/log.ts";

export type ChangeHandler = (table: string, key: string) => void;

export const STALE_MS = 1_000;
const HEARTBEAT_MS = 200;
/** No heartbeat back for this long: the connection is dead, even if the socket says nothing. */
const DEAD_AFTER_MS = 3_000;
const BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 4_000];
const MAX_BACKOFF_MS = 5_000;
const CONNECT_TIMEOUT_MS = 3_000;
const SYNC_TIMEOUT_MS = 2_000;

export interface FeedState {
  /** LISTEN is established and a heartbeat came back within STALE_MS. */
  current: boolean;
  connected: boolean;
  /** ms since the last heartbeat came back (null: never). */
  confirmed_ms_ago: number | null;
  /** When the feed last stopped being current (ISO), or null. */
  down_since: string | null;
  reconnects: number;
  /** Times every cache was cleared (the feed could not vouch for them, or reconnected). */
  cache_clears: number;
  last_error: string | null;
}

export class ChangeFeed {
  private client: pg.Client | null = null;
  private handlers: ChangeHandler[] = [];
  private resetHandlers: Array<() => void> = [];
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private attempt = 0;
  /** The private channel of this feed's heartbeats. */
  private readonly channel = `mandate_sync_${randomBytes(8).toString("hex")}`;
  /** A heartbeat sent at this time came back: every change committed before it has been applied. */
  private confirmedAt = 0;
  private lastSentAt = 0;
  private lastExpiredAt = 0;
  /** When the current connection's LISTEN was established. */
  private connectedAt = 0;
  private downSince: number | null = Date.now();
  private reconnects = 0;
  private lastError: string | null = null;
  private waiters: Array<{ at: number; resolve: () => void }> = [];
  /** Caches were cleared this many times (tests and metrics). */
  expirations = 0;

  constructor(private readonly name = "mandate") {}

  on(handler: ChangeHandler): void {
    this.handlers.push(handler);
  }

  onReset(handler: () => void): void {
    this.resetHandlers.push(handler);
  }

  /** Connects (a failure is retried in the background: the node starts, not current). */
  async start(): Promise<void> {
    this.closed = false;
    await this.connect();
  }

  isCurrent(now = Date.now()): boolean {
    return this.client !== null && now - this.confirmedAt <= STALE_MS;
  }

  state(): FeedState {
    const now = Date.now();
    const current = this.isCurrent(now);
    return {
      current,
      connected: this.client !== null,
      confirmed_ms_ago: this.confirmedAt ? now - this.confirmedAt : null,
      down_since: current ? null : new Date(this.downSince ?? now).toISOString(),
      reconnects: this.reconnects,
      cache_clears: this.expirations,
      last_error: this.lastError,
    };
  }

  /**
   * Called before a request uses the caches: when the feed cannot vouch for them, clear them at most
   * every STALE_MS, so that nothing older than that is used.
   */
  ensureCurrent(now = Date.now()): void {
    if (this.isCurrent(now)) {
      this.downSince = null;
      return;
    }
    this.downSince ??= now;
    if (now - this.lastExpiredAt >= STALE_MS) {
      this.lastExpiredAt = now;
      this.reset();
    }
  }

  /**
   * Returns once every change committed before this call has been applied on this node (or every
   * cache was cleared, when the feed cannot confirm it within SYNC_TIMEOUT_MS).
   */
  async sync(): Promise<void> {
    const at = Date.now();
    const client = this.client;
    if (!client || this.closed) {
      this.reset();
      return;
    }
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), SYNC_TIMEOUT_MS);
      timer.unref();
      this.waiters.push({ at, resolve: () => (clearTimeout(timer), resolve(true)) });
    });
    this.send(client, at);
    if (!(await done)) this.reset();
  }

  private reset(): void {
    this.expirations++;
    for (const r of this.resetHandlers) {
      try {
        r();
      } catch (err) {
        logger.error("change feed: a reset handler failed", { component: "change-feed", err });
      }
    }
  }

  private dispatch(table: string, key: string): void {
    for (const h of this.handlers) {
      try {
        h(table, key);
      } catch (err) {
        logger.error("change feed: a handler failed", { component: "change-feed", err });
      }
    }
  }

  private confirm(at: number): void {
    if (at > this.confirmedAt) this.confirmedAt = at;
    if (!this.waiters.length) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.at <= this.confirmedAt) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  private send(client: pg.Client, at: number): void {
    this.lastSentAt = Math.max(this.lastSentAt, at);
    client.query("SELECT pg_notify($1, $2)", [this.channel, String(at)]).catch(() => this.lost(client, "heartbeat failed"));
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: databaseUrl(),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: `${this.name}:feed`.slice(0, 63),
    });
    client.on("notification", (msg) => {
      if (msg.channel === this.channel) {
        this.confirm(Number(msg.payload));
        return;
      }
      const payload = msg.payload ?? "";
      const i = payload.indexOf(":");
      this.dispatch(i < 0 ? payload : payload.slice(0, i), i < 0 ? "" : payload.slice(i + 1));
    });
    client.on("error", (err) => this.lost(client, err.message));
    client.on("end", () => this.lost(client, "connection ended"));
    try {
      await client.connect();
      await client.query(`LISTEN mandate_changes; LISTEN ${this.channel}`);
    } catch (err) {
      this.lastError = (err as Error).message;
      client.removeAllListeners("end");
      client.on("error", () => {});
      await client.end().catch(() => {});
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.connectedAt = Date.now();
    this.attempt = 0;
    // Changes committed while no connection listened were missed: nothing cached before now is trusted.
    this.reset();
    this.send(client, Date.now());
    this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private beat(client: pg.Client): void {
    const now = Date.now();
    if (now - Math.max(this.confirmedAt, this.connectedAt) > DEAD_AFTER_MS) {
      this.lost(client, `no heartbeat back for ${DEAD_AFTER_MS} ms`);
      return;
    }
    // One heartbeat in flight at a time: a slow connection is not flooded.
    if (this.lastSentAt > this.confirmedAt && now - this.lastSentAt < DEAD_AFTER_MS) return;
    this.send(client, now);
  }

  private lost(client: pg.Client, reason: string): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.lastError = reason;
    this.downSince ??= Date.now();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    logger.warn(`lost the change feed (${reason}); reconnecting`, { component: "change-feed" });
    client.removeAllListeners("end");
    client.on("error", () => {});
    void client.end().catch(() => {});
    this.reset();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    const delay = Math.min(BACKOFF_MS[this.attempt] ?? MAX_BACKOFF_MS, MAX_BACKOFF_MS);
    this.attempt++;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.reconnects++;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.retry = this.heartbeat = null;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners("end");
      await c.end().catch(() => {});
    }
  }
}
