/**
 * The messages between a node's primary process and its data-plane workers (node:cluster's IPC channel),
 * and the request/reply bookkeeping both sides use. Validated on receipt like any other input.
 */
import { z } from "zod";

const change = z.object({ table: z.string(), key: z.string() }).nullable();
const head = z.object({ chain_id: z.string(), seq: z.number().int(), hash: z.string() });
/** A process's metrics as prom-client's JSON (lib/telemetry/scrape.ts); NaN arrives as null (JSON). */
const processMetrics = z.array(
  z.looseObject({
    name: z.string(),
    help: z.string(),
    type: z.string(),
    aggregator: z.string(),
    values: z.array(z.looseObject({ value: z.number().nullable(), labels: z.record(z.string(), z.union([z.string(), z.number()])) })),
  }),
);

/** A worker to the primary. */
export const fromWorker = z.discriminatedUnion("t", [
  /** Apply `change` (if any) and the change feed's barrier in every other process of the node, then reply. */
  z.object({ t: z.literal("barrier"), id: z.number().int(), change }),
  /** An approval event was queued: run the webhook worker now. */
  z.object({ t: z.literal("kick") }),
  /** The answer to the primary's request `id`. */
  z.object({ t: z.literal("reply"), id: z.number().int(), heads: z.array(head).optional() }),
  /** The node's metrics, all processes (GET /metrics on the main port reached this worker). */
  z.object({ t: z.literal("scrape"), id: z.number().int() }),
  /** This worker's metrics, the answer to the primary's `metrics` request `id`. */
  z.object({ t: z.literal("metrics"), id: z.number().int(), metrics: processMetrics }),
]);

/** The primary to a worker. */
export const toWorker = z.discriminatedUnion("t", [
  z.object({ t: z.literal("barrier"), id: z.number().int(), change }),
  /** The worker's chain heads, from memory (for the node's signed checkpoints). */
  z.object({ t: z.literal("heads"), id: z.number().int() }),
  z.object({ t: z.literal("reply"), id: z.number().int() }),
  /** Stop: finish what is in flight, close the chains, reply with their final heads, exit. */
  z.object({ t: z.literal("stop"), id: z.number().int() }),
  /** This worker's metrics (answered with `metrics`). */
  z.object({ t: z.literal("metrics"), id: z.number().int() }),
  /** The node's exposition, the answer to the worker's `scrape` request `id` (null: it failed). */
  z.object({ t: z.literal("scraped"), id: z.number().int(), text: z.string().nullable() }),
]);

export type FromWorker = z.infer<typeof fromWorker>;
export type ToWorker = z.infer<typeof toWorker>;
export type Head = z.infer<typeof head>;

/** The configuration a worker is started with (MANDATE_WORKER_CONFIG, JSON; internal). */
export const workerConfig = z.object({
  index: z.number().int().min(1),
  node: z.string(),
  databaseUrl: z.string(),
  publicUrl: z.string(),
  /** Where the node's console listens, and the secret that proves a request came from a worker. */
  console: z.object({ port: z.number().int(), secret: z.string() }).nullable(),
});
export type WorkerConfig = z.infer<typeof workerConfig>;
export const WORKER_CONFIG_ENV = "MANDATE_WORKER_CONFIG";

/** Outstanding requests by id: each resolves with its reply, or with `null` at its deadline. */
export class Requests<R> {
  private next = 1;
  private pending = new Map<number, { resolve: (r: R | null) => void; timer: NodeJS.Timeout }>();

  open(timeoutMs: number, onTimeout?: () => void): { id: number; reply: Promise<R | null> } {
    const id = this.next++;
    const reply = new Promise<R | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        onTimeout?.();
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
    });
    return { id, reply };
  }

  settle(id: number, r: R | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(r);
  }

  /** The other side is gone: every request is answered with null. */
  settleAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, null);
  }
}
