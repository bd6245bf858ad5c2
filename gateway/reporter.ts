/**
 * Outcome reporting: every forwarded call's outcome is written to the spool first, then sent to
 * POST /api/v1/events in batches (as soon as `batchSize` are waiting, or `flushMs` after the first),
 * one batch in flight per agent key, retried with exponential backoff until Mandate acknowledges it.
 * Events are sent with the API key of the agent whose decision they report: each key has its own
 * spool folder (named by a fingerprint of the key, never the key).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { OutcomeEventInput } from "../lib/api/schemas.ts";
import { MandateCallError, type MandateClient } from "./mandate-client.ts";
import { EventSpool } from "./spool.ts";

export interface ReporterOptions {
  spoolDir: string;
  fsync: "batch" | "always";
  batchSize: number;
  flushMs: number;
  maxBackoffMs: number;
  log: (message: string) => void;
}

export interface ReporterStats {
  recorded: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failures: number;
}

class Lane {
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private failures = 0;
  private single = false;
  private closed = false;

  constructor(
    readonly spool: EventSpool,
    private client: MandateClient,
    private readonly opts: ReporterOptions,
    private readonly stats: ReporterStats,
  ) {}

  setClient(client: MandateClient): void {
    this.client = client;
  }

  schedule(): void {
    if (this.closed || this.sending || this.timer || this.spool.pendingCount === 0) return;
    const delay = this.failures > 0 ? this.backoff() : this.spool.pendingCount >= this.opts.batchSize ? 0 : this.opts.flushMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendOnce();
    }, delay);
    this.timer.unref?.();
  }

  /** Sends batches until nothing is pending or a send fails. */
  async drain(deadline: number): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.spool.pendingCount > 0 && Date.now() < deadline) {
      if (this.sending) await this.sending;
      else if (!(await this.sendOnce(false))) await new Promise((r) => setTimeout(r, Math.min(200, this.backoff())));
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.spool.close();
  }

  private backoff(): number {
    const base = Math.min(this.opts.maxBackoffMs, 100 * 2 ** Math.min(this.failures, 20));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  private async sendOnce(reschedule = true): Promise<boolean> {
    if (this.sending) return false;
    const batch = this.spool.peek(this.single ? 1 : this.opts.batchSize);
    if (batch.length === 0) return true;
    let ok = false;
    this.sending = (async () => {
      await this.spool.sync();
      try {
        const res = await this.client.sendEvents(batch);
        this.stats.accepted += res.accepted;
        this.stats.duplicates += res.duplicates;
        this.spool.ack(batch.map((e) => e.event_id));
        this.failures = 0;
        this.single = false;
        ok = true;
      } catch (e) {
        if (e instanceof MandateCallError && e.status === 400 && batch.length === 1) {
          // Mandate says the event itself is malformed: set it aside instead of retrying it forever.
          this.quarantine(batch, e.message);
          ok = true;
        } else if (e instanceof MandateCallError && e.status === 400) {
          this.single = true; // find the malformed event by sending one at a time
        } else {
          this.failures++;
          this.stats.failures++;
          if (this.failures === 1 || this.failures % 20 === 0)
            this.opts.log(`outcome events not delivered yet (${this.spool.pendingCount} pending, will retry): ${(e as Error).message}`);
        }
      }
    })();
    await this.sending;
    this.sending = undefined;
    if (reschedule) this.schedule();
    return ok;
  }

  private quarantine(batch: OutcomeEventInput[], reason: string): void {
    const lines = batch.map((ev) => JSON.stringify({ rejected_at: new Date().toISOString(), reason, ev }) + "\n").join("");
    appendFileSync(join(this.spool.dir, "rejected.jsonl"), lines, { mode: 0o600 });
    this.spool.ack(batch.map((e) => e.event_id));
    this.stats.rejected += batch.length;
    this.opts.log(`Mandate rejected ${batch.length} outcome event(s) as malformed; kept in ${this.spool.dir}/rejected.jsonl: ${reason}`);
  }
}

export class OutcomeReporter {
  readonly stats: ReporterStats = { recorded: 0, accepted: 0, duplicates: 0, rejected: 0, failures: 0 };
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly opts: ReporterOptions) {}

  /** Makes a key's lane ready (adopting events a crashed gateway left for that key) and starts sending. */
  register(client: MandateClient): void {
    const existing = this.lanes.get(client.fingerprint);
    if (existing) {
      existing.setClient(client);
      return;
    }
    const spool = EventSpool.open(join(this.opts.spoolDir, client.fingerprint), { fsync: this.opts.fsync });
    const lane = new Lane(spool, client, this.opts, this.stats);
    this.lanes.set(client.fingerprint, lane);
    lane.schedule();
  }

  /** Spools the event synchronously (it survives a SIGKILL from here on) and schedules its delivery. */
  record(client: MandateClient, ev: OutcomeEventInput): void {
    if (!this.lanes.has(client.fingerprint)) this.register(client);
    const lane = this.lanes.get(client.fingerprint)!;
    lane.spool.append(ev);
    this.stats.recorded++;
    lane.schedule();
  }

  pendingCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.spool.pendingCount;
    return n;
  }

  /** Tries to deliver everything pending within `timeoutMs`; what remains stays spooled for the next start. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all([...this.lanes.values()].map((l) => l.drain(deadline)));
    for (const lane of this.lanes.values()) lane.close();
    this.lanes.clear();
  }
}
