/**
 * Admin actions on the tool inventory (`kind = 'admin'`, the `tool` column is `server/name`): tools
 * reported by enforcement agents (`inventory.*`, actor `agent:<name>`), and admins' classifications and
 * blocks (`tool.*`).
 */
import { z } from "zod";
import { defineEntry, sha256Hex, uuid } from "./define.ts";

const toolColumns = { tool: z.string() };
const effect = z.enum(["read", "write", "side_effect", "destructive"]);
const risk = z.enum(["low", "medium", "high", "critical"]);
const labels = z.array(z.string());
const status = z.enum(["pending", "approved", "rejected"]);

/** Mandate's suggestion from the definition (annotations, name, description, schema), with its reasons. */
const suggestion = z.strictObject({ effect, risk, labels, sensitiveArgs: z.array(z.string()), reasons: z.array(z.string()) });
/** The demo inventory's classification, as the first start wrote it. */
const seedClassification = z.strictObject({ effect, risk, labels, sensitiveArgs: z.array(z.string()) });

export const INVENTORY_NEW_ENTRY = defineEntry({
  kind: "admin",
  actions: ["inventory.new"],
  data: z.union([
    z.strictObject({ tool_id: uuid, definition_hash: sha256Hex, suggestion }),
    // The first start's pending demo tools.
    z.strictObject({ tool_id: uuid, classification: z.null() }),
  ]),
  columns: toolColumns,
});

export const INVENTORY_CHANGED_ENTRY = defineEntry({
  kind: "admin",
  actions: ["inventory.changed"],
  // `was_approved`: the tool was approved and is pending review again.
  data: z.strictObject({ tool_id: uuid, previous_hash: sha256Hex, definition_hash: sha256Hex, was_approved: z.boolean() }),
  columns: toolColumns,
});

export const TOOL_APPROVE_ENTRY = defineEntry({
  kind: "admin",
  actions: ["tool.approve"],
  data: z.union([
    z.strictObject({
      tool_id: uuid,
      previous_status: status,
      classification: z.strictObject({ effect, risk, labels, sensitive_args: z.array(z.string()) }),
      note: z.string().nullable(),
    }),
    // The first start's approved demo tools.
    z.strictObject({ tool_id: uuid, classification: seedClassification }),
  ]),
  columns: toolColumns,
});

export const TOOL_REJECT_ENTRY = defineEntry({
  kind: "admin",
  actions: ["tool.reject"],
  data: z.strictObject({ tool_id: uuid, previous_status: status, note: z.string().nullable() }),
  columns: toolColumns,
});

export const TOOL_BLOCK_ENTRY = defineEntry({
  kind: "admin",
  actions: ["tool.block", "tool.unblock"],
  data: z.strictObject({ tool_id: uuid, reason: z.string().nullable() }),
  columns: toolColumns,
});

/** Detectors turned off or on for an item (`tool` is its key) or a whole server (`tool` is `server/*`). */
export const TOOL_DETECTORS_ENTRY = defineEntry({
  kind: "admin",
  actions: ["tool.detectors"],
  data: z.union([
    z.strictObject({ tool_id: uuid, previous: z.array(z.string()), detectors_off: z.array(z.string()), note: z.string().nullable() }),
    z.strictObject({ server_id: uuid, previous: z.array(z.string()), detectors_off: z.array(z.string()), note: z.string().nullable() }),
  ]),
  columns: toolColumns,
});
