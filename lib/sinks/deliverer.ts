/**
 * The audit deliverer (a node duty, lib/runtime/start.ts step 13: one process per node). Every enabled sink
 * is delivered by one node at a time: the holder of its lease (audit_sinks.lease_owner/lease_until,
 * renewed each round; another node takes over when it lapses). For each chain with entries past the
 * sink's cursor, it reads a batch in seq order, maps it to OCSF, sends it, and moves the cursor only once
 * the receiver acknowledged — the cursor update is fenced by the lease, so a node that lost it moves
 * nothing. At-least-once: a batch sent and acknowledged but whose cursor update failed is sent again
 * (receivers deduplicate by the event id).
 *
 * A failed send backs the sink off exponentially with jitter (up to MANDATE_SINK_MAX_BACKOFF_S). A
 * permanent refusal (a 4xx about the events, transport.ts) of a batch sends that chain's entries one by one; an entry refused
 * MANDATE_SINK_MAX_ATTEMPTS times goes to the dead-letter list and the cursor moves past it.
 * It only reads committed audit rows, on its own connections: nothing here waits on, or holds up, a decision.
 */
import { randomUUID } from "node:crypto";
import { getPool } from "../db/pool.ts";
import { logger } from "../telemetry/log.ts";
import { encode, itemOf } from "./encode.ts";
import { toOcsf, type SinkEntry } from "./ocsf/map.ts";
import { readAfter, pendingChains } from "./read-entries.ts";
import { storedSink, type SinkRow, type StoredSink } from "./sinks.ts";
import { send } from "./transport.ts";

export const LEASE_S = 30;
export const BATCH = 200;
const BASE_BACKOFF_MS = 250;
/** Batches one sink sends per round before the lease is renewed. */
const BATCHES_PER_ROUND = 20;

export interface DelivererOptions {
  node: string;
  pollMs?: number;
  maxBackoffS: number;
  maxAttempts: number;
}

interface SinkState {
  failures: number;
  nextAt: number;
  /** Chains whose last batch was refused for good: sent one entry at a time until one goes through. */
  single: Set<string>;
  /** Attempts of entries refused for good, by event id. */
  refused: Map<string, { attempts: number; first: Date; error: string }>;
}

export function backoffMs(failures: number, maxS: number, random = Math.random): number {
  const cap = maxS * 1000;
  const exp = Math.min(cap, BASE_BACKOFF_MS * 2 ** Math.min(failures - 1, 20));
  return Math.round(exp / 2 + random() * (exp / 2)); // "equal jitter": between half and all of it
}

export class SinkDeliverer {
  private readonly owner: string;
  private readonly state = new Map<string, SinkState>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: DelivererOptions) {
    this.owner = `${opts.node}#${randomUUID().slice(0, 8)}`;
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((err) => logger.warn(`audit sinks: ${(err as Error).message}`, { component: "sinks" }))
        .finally(() => {
          this.running = null;
          this.schedule(this.opts.pollMs ?? 1000);
        });
    }, ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await getPool()
      .query("UPDATE audit_sinks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1", [this.owner])
      .catch(() => {});
  }

  /** One pass over every enabled sink whose back-off has passed. */
  async round(): Promise<void> {
    const r = await getPool().query("SELECT id FROM audit_sinks WHERE enabled ORDER BY name");
    await Promise.all(
      r.rows.map(async ({ id }: { id: string }) => {
        const st = this.stateOf(id);
        if (Date.now() < st.nextAt) return;
        const sink = await this.claim(id);
        if (sink) await this.deliver(sink, st);
      }),
    );
  }

  private stateOf(id: string): SinkState {
    let st = this.state.get(id);
    if (!st) this.state.set(id, (st = { failures: 0, nextAt: 0, single: new Set(), refused: new Map() }));
    return st;
  }

  /** Takes or renews the sink's lease; null when another node holds it. */
  private async claim(id: string): Promise<StoredSink | null> {
    const r = await getPool().query<SinkRow>(
      `UPDATE audit_sinks SET lease_owner = $2, lease_until = now() + make_interval(secs => ${LEASE_S})
       WHERE id = $1 AND enabled AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now()) RETURNING *`,
      [id, this.owner],
    );
    if (!r.rowCount) return null;
    try {
      return storedSink(r.rows[0]);
    } catch (err) {
      // The token does not decrypt here (another MANDATE_MASTER_KEY): leave the sink to a node where it does.
      const why = `cannot decrypt the sink's token on node ${this.opts.node}: ${(err as Error).message} (every node needs the same MANDATE_MASTER_KEY)`;
      await getPool().query(
        "UPDATE audit_sinks SET lease_owner = NULL, lease_until = NULL, last_error = $3, last_error_at = now() WHERE id = $1 AND lease_owner = $2",
        [id, this.owner, why],
      );
      return null;
    }
  }

  private async deliver(sink: StoredSink, st: SinkState): Promise<void> {
    let batches = 0;
    for (const chain of await pendingChains(sink.id)) {
      while (batches < BATCHES_PER_ROUND && !this.stopped) {
        const single = st.single.has(chain.chain_id);
        const entries = await readAfter(chain.chain_id, chain.after, single ? 1 : BATCH);
        if (!entries.length) break;
        batches++;
        const ok = await this.sendBatch(sink, st, entries);
        if (ok === "stop") return;
        chain.after = ok;
      }
    }
  }

  /** Sends one batch; the new cursor when it moved, "stop" when the sink is to back off. */
  private async sendBatch(sink: StoredSink, st: SinkState, entries: SinkEntry[]): Promise<number | "stop"> {
    const items = entries.map((e) => itemOf(e, toOcsf(e)));
    const res = await send(sink.target, encode(sink.kind, sink.format, items, this.opts.node));
    const last = entries[entries.length - 1];
    if (res.ok) {
      if (!(await this.advance(sink.id, last.chain_id, last.seq, entries.length))) return "stop";
      st.failures = 0;
      st.single.delete(last.chain_id);
      for (const i of items) st.refused.delete(i.id);
      return last.seq;
    }
    if (res.permanent && entries.length > 1) {
      st.single.add(last.chain_id); // find the entry it refuses: one at a time
      return entries[0].seq - 1;
    }
    if (res.permanent) {
      const id = items[0].id;
      const seen = st.refused.get(id) ?? { attempts: 0, first: new Date(), error: res.detail };
      seen.attempts++;
      seen.error = res.detail;
      st.refused.set(id, seen);
      if (seen.attempts >= this.opts.maxAttempts) {
        await this.deadLetter(sink.id, entries[0], id, seen);
        st.refused.delete(id);
        return (await this.advance(sink.id, last.chain_id, last.seq, 0)) ? last.seq : "stop";
      }
    }
    st.failures++;
    st.nextAt = Date.now() + backoffMs(st.failures, this.opts.maxBackoffS);
    await getPool().query("UPDATE audit_sinks SET last_error = $2, last_error_at = now() WHERE id = $1", [sink.id, res.detail.slice(0, 500)]);
    return "stop";
  }

  /** Moves the cursor (never backwards), fenced by this node's lease; false when the lease is lost. */
  private async advance(sinkId: string, chainId: string, seq: number, delivered: number): Promise<boolean> {
    const r = await getPool().query(
      `WITH held AS (
         UPDATE audit_sinks SET delivered = delivered + $4, last_delivered_at = CASE WHEN $4 > 0 THEN now() ELSE last_delivered_at END,
           last_error = CASE WHEN $4 > 0 THEN NULL ELSE last_error END
         WHERE id = $1 AND lease_owner = $5 RETURNING id)
       INSERT INTO audit_sink_cursors (sink_id, chain_id, last_seq, updated_at) SELECT $1, $2, $3, now() FROM held
       ON CONFLICT (sink_id, chain_id) DO UPDATE SET last_seq = GREATEST(audit_sink_cursors.last_seq, EXCLUDED.last_seq), updated_at = now()`,
      [sinkId, chainId, seq, delivered, this.owner],
    );
    return (r.rowCount ?? 0) > 0;
  }

  private async deadLetter(sinkId: string, e: SinkEntry, id: string, seen: { attempts: number; first: Date; error: string }) {
    logger.warn(`audit sink: entry ${id} refused ${seen.attempts} times (${seen.error}): moved to the dead-letter list`, { component: "sinks" });
    await getPool().query(
      `INSERT INTO audit_sink_dead_letters (sink_id, chain_id, seq, event_id, error, attempts, first_attempt_at, last_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (sink_id, chain_id, seq) DO NOTHING`,
      [sinkId, e.chain_id, e.seq, id, seen.error.slice(0, 500), seen.attempts, seen.first],
    );
  }
}
