/**
 * Audit sinks added and removed, and dead letters sent again (`kind = 'admin'`, lib/sinks/sinks.ts, retry.ts). `endpoint` as listed: without
 * user information or query (a receiver's credentials are never written to the log).
 */
import { z } from "zod";
import { defineEntry, uuid } from "./define.ts";

export const SINK_CREATE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["sink.create"],
  data: z.strictObject({
    sink_id: uuid,
    name: z.string(),
    kind: z.enum(["webhook", "hec", "syslog", "otlp"]),
    format: z.enum(["ocsf", "cef"]),
    endpoint: z.string(),
    from: z.enum(["now", "start"]),
  }),
});

export const SINK_REMOVE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["sink.remove"],
  data: z.strictObject({ sink_id: uuid, name: z.string() }),
});

/** A dead letter sent again: whether the receiver took it this time, and its answer. */
export const SINK_RETRY_ENTRY = defineEntry({
  kind: "admin",
  actions: ["sink.retry"],
  data: z.strictObject({
    sink_id: uuid,
    name: z.string(),
    chain_id: uuid,
    seq: z.number().int().positive(),
    event_id: z.string(),
    delivered: z.boolean(),
    detail: z.string(),
  }),
});
