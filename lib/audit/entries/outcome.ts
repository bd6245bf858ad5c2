/**
 * `outcome` entries: what happened to an allowed call, reported by the enforcement agent (POST
 * /api/v1/events), one per new event id, on the node's events chain. Actions `outcome.success`,
 * `outcome.error`. The columns repeat the decision's session, step and tool.
 */
import { z } from "zod";
import type { AuditEntryInput } from "../hash.ts";
import { count, defineEntry, FORMAT_VERSION, redaction, uuid } from "./define.ts";

const outcomeData = z.strictObject({
  duration_ms: z.number().min(0).nullable(),
  /** The agent's error text with secrets replaced (see `redactions`). */
  error: z.string().nullable(),
  event_id: z.string(),
  redactions: z.array(redaction),
  result_size: count.nullable(),
  status: z.enum(["success", "error"]),
});
export type OutcomeData = z.infer<typeof outcomeData>;

export const OUTCOME_ENTRY = defineEntry({
  kind: "outcome",
  actions: ["outcome.success", "outcome.error"],
  data: outcomeData,
  columns: {
    actor: z.string().startsWith("agent:"),
    // null only for an event about an AuthZEN tools/list decision (no session)
    session_id: z.string().nullable(),
    step: z.number().int().min(1).nullable(),
    agent_id: uuid,
    tool: z.string(),
    outcome: z.enum(["success", "error"]),
    decision_id: uuid,
  },
  // Entries of version 0 written before secrets in `error` were redacted have no `redactions`.
  since: { redactions: 1 },
});

export interface OutcomeFacts {
  agent: { agentId: string; name: string };
  /** The decision's columns as recorded. */
  decision: { decision_id: string; session_id: string | null; step: number | null; tool: string };
  event: { event_id: string; status: "success" | "error"; duration_ms?: number; result_size?: number };
  /** The stored error text (redacted) and what was redacted. */
  error: string | null;
  redactions: z.infer<typeof redaction>[];
  at: string;
}

/** The builder (keys in code-unit order, as the chain's canonical JSON writes them). */
export function outcomeEntry(f: OutcomeFacts): AuditEntryInput {
  const e = f.event;
  return {
    kind: "outcome",
    action: `outcome.${e.status}`,
    actor: `agent:${f.agent.name}`,
    session_id: f.decision.session_id,
    step: f.decision.step,
    agent_id: f.agent.agentId,
    tool: f.decision.tool,
    outcome: e.status,
    decision_id: f.decision.decision_id,
    created_at: f.at,
    data: {
      duration_ms: e.duration_ms ?? null,
      error: f.error,
      event_id: e.event_id,
      redactions: f.redactions,
      result_size: e.result_size ?? null,
      status: e.status,
      v: FORMAT_VERSION,
    } satisfies OutcomeData & { v: number },
  };
}

const observationData = z.strictObject({
  /** The labels this observation added to the session (observed labels it already had are not repeated). */
  added: z.array(z.string()),
  /** Where each label came from: a detector and how many matches (never the matched value), or a `_meta` key. */
  provenance: z.array(
    z.strictObject({
      count: count.optional(),
      detector: z.string().optional(),
      key: z.string().optional(),
      label: z.string(),
      source: z.enum(["detector", "meta"]),
    }),
  ),
});

/**
 * `outcome.labels_observed`: labels the enforcement agent found in an allowed call's result (POST
 * /api/v1/observations), committed to the session before the agent saw the result. The columns repeat
 * the decision's session, step and tool.
 */
export const OBSERVATION_ENTRY = defineEntry({
  kind: "outcome",
  actions: ["outcome.labels_observed"],
  data: observationData,
  columns: {
    actor: z.string().startsWith("agent:"),
    session_id: z.string(),
    step: z.number().int().min(1).nullable(),
    agent_id: uuid,
    tool: z.string(),
    outcome: z.literal("observed"),
    decision_id: uuid,
  },
});

export function observationEntry(f: {
  agent: { agentId: string; name: string };
  decision: { decision_id: string; session_id: string; step: number | null; tool: string };
  added: string[];
  provenance: Array<{ label: string; source: "detector" | "meta"; detector?: string; count?: number; key?: string }>;
  at: string;
}): AuditEntryInput {
  return {
    kind: "outcome",
    action: "outcome.labels_observed",
    actor: `agent:${f.agent.name}`,
    session_id: f.decision.session_id,
    step: f.decision.step,
    agent_id: f.agent.agentId,
    tool: f.decision.tool,
    outcome: "observed",
    decision_id: f.decision.decision_id,
    created_at: f.at,
    data: {
      added: f.added,
      provenance: f.provenance.map((p) => ({
        ...(p.count !== undefined ? { count: p.count } : {}),
        ...(p.detector !== undefined ? { detector: p.detector } : {}),
        ...(p.key !== undefined ? { key: p.key } : {}),
        label: p.label,
        source: p.source,
      })),
      v: FORMAT_VERSION,
    },
  };
}
