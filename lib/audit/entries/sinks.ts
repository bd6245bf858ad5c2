/**
 * Audit sinks added and removed (`kind = 'admin'`, lib/sinks/sinks.ts). `endpoint` as listed: without
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
