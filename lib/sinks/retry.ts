/**
 * Sending a dead letter again (docs/siem.md, "Dead letters"): an entry a sink's receiver refused for good
 * (a 4xx, `MANDATE_SINK_MAX_ATTEMPTS` times) is sent once more on an admin's request, after the cause was
 * fixed at the receiver. Delivered: the dead letter is removed; refused again: its attempts, error and
 * time are updated and it stays. Either way the retry is an audited admin action (`sink.retry`). The
 * sink's cursor does not move (it is already past the entry), and the event keeps its idempotency id, so
 * a receiver that deduplicates by id never counts it twice.
 */
import { z } from "zod";
import { adminAction } from "../audit/admin-action.ts";
import { SINK_RETRY_ENTRY } from "../audit/entries/index.ts";
import { getPool } from "../db/pool.ts";
import { MandateError, notFound } from "../errors.ts";
import type { NodeContext } from "../runtime/runtime.ts";
import { encode, itemOf } from "./encode.ts";
import { toOcsf } from "./ocsf/map.ts";
import { readAfter } from "./read-entries.ts";
import { storedSink, type SinkRow } from "./sinks.ts";
import { send, type SendResult } from "./transport.ts";

export const retrySchema = z.strictObject({ chain_id: z.uuid(), seq: z.number().int().positive() });

export type RetryResult = SendResult & { event_id: string; delivered: boolean };

/** `host`: the node's name, written as the events' host (as the deliverer does). */
export async function retryDeadLetter(ctx: NodeContext, name: string, dead: z.infer<typeof retrySchema>, actor: string, host: string): Promise<RetryResult> {
  const r = await getPool().query<SinkRow>("SELECT * FROM audit_sinks WHERE name = $1", [name]);
  if (!r.rowCount) throw notFound(`sink ${name}`);
  const sink = storedSink(r.rows[0]);
  const held = await getPool().query("SELECT 1 FROM audit_sink_dead_letters WHERE sink_id = $1 AND chain_id = $2 AND seq = $3", [
    sink.id,
    dead.chain_id,
    dead.seq,
  ]);
  if (!held.rowCount) throw notFound(`dead letter ${dead.chain_id}:${dead.seq} of sink ${name}`);
  const [entry] = await readAfter(dead.chain_id, dead.seq - 1, 1);
  if (entry?.seq !== dead.seq)
    throw new MandateError(409, "conflict", `entry ${dead.chain_id}:${dead.seq} is no longer in the live log (archived): send it from the archive`);
  const item = itemOf(entry, toOcsf(entry));
  const res = await send(sink.target, encode(sink.kind, sink.format, [item], host));
  const key = [sink.id, dead.chain_id, dead.seq];
  await adminAction(ctx, async (tx) => {
    if (res.ok) await tx.query("DELETE FROM audit_sink_dead_letters WHERE sink_id = $1 AND chain_id = $2 AND seq = $3", key);
    else
      await tx.query(
        "UPDATE audit_sink_dead_letters SET attempts = attempts + 1, error = $4, last_attempt_at = now() WHERE sink_id = $1 AND chain_id = $2 AND seq = $3",
        [...key, res.detail.slice(0, 500)],
      );
    const data = { sink_id: sink.id, name, chain_id: dead.chain_id, seq: dead.seq, event_id: item.id, delivered: res.ok, detail: res.detail.slice(0, 500) };
    return { result: null, audit: SINK_RETRY_ENTRY.entry({ actor, data }) };
  });
  return { ...res, event_id: item.id, delivered: res.ok };
}
