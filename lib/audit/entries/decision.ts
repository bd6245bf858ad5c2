/**
 * `decision` entries of the native decision path (POST /api/v1/decisions, and AuthZEN's MCP profile
 * for tools/call, which runs the same pipeline): one per decision, on a decision chain, committed
 * before the answer. Actions `decision.allow`, `decision.deny`, `decision.require_approval`.
 */
import { z } from "zod";
import { mcpAction } from "../../api/schemas.ts";
import type { AuditEntryInput } from "../hash.ts";
import { count, decisionOutcome, defineEntry, FORMAT_VERSION, isoTime, reason, redaction, sha256Hex, uuid } from "./define.ts";
import { dataPaths } from "./paths.ts";

const stepSession = z.strictObject({
  id: z.string(),
  /** The initiating user: verified by a delegation token, or as the session's first request asserted it. */
  initiator: z.string().nullable(),
  initiator_verified: z.boolean(),
  /** The session's data labels before this step. */
  labels_before: z.array(z.string()),
  step: z.number().int().min(1),
});
/** A request in a session that another agent owns, without a delegation from it: no step of that session. */
const foreignSession = z.strictObject({ foreign_attempt: z.literal(true), id: z.string(), owner_agent_id: uuid, step: z.null() });

const knownTool = z.strictObject({
  effect: z.string().nullable(),
  labels: z.array(z.string()),
  name: z.string(),
  risk: z.string().nullable(),
  server: z.string(),
  status: z.enum(["pending", "approved", "rejected"]),
});
const unknownTool = z.strictObject({ name: z.string(), server: z.string(), status: z.literal("unknown") });

const decisionData = z.strictObject({
  /** The calling agent and the key it authenticated with (a PEP key for AuthZEN's MCP profile). */
  agent: z.strictObject({ id: uuid, key_id: z.string(), name: z.string() }),
  approval: z
    .union([z.strictObject({ expires_at: isoTime, id: uuid, status: z.literal("pending") }), z.strictObject({ id: uuid, status: z.literal("used") })])
    .nullable(),
  /** The arguments as stored: secrets and sensitive arguments replaced (see `redactions`). */
  arguments: z.record(z.string(), z.json()),
  /** SHA-256 of the canonical JSON of the arguments as received (before redaction). */
  arguments_hash: sha256Hex,
  delegation: z
    .strictObject({
      chain: z.array(z.strictObject({ agent_id: uuid, name: z.string() })),
      depth: z.number().int().min(1),
      on_behalf_of: z.string().nullable(),
      scopes: z.array(z.string()),
      token_id: z.string().nullable(),
    })
    .nullable(),
  errors: z.array(reason),
  latency_us: count,
  /** The MCP method decided (absent in entries written before resources and prompts were decided: tools/call). */
  method: mcpAction.optional(),
  policy_version: z.string(),
  reasons: z.array(reason),
  redactions: z.array(redaction),
  request_id: z.string().nullable(),
  session: z.union([stepSession, foreignSession]),
  shadow: z.strictObject({ decision: decisionOutcome, reasons: z.array(reason), version: z.string() }).nullable(),
  tool: z.union([knownTool, unknownTool]),
  /** The OpenTelemetry trace the decision was made in (32 hex digits), when traced and sampled (docs/deploy.md, "Tracing"). */
  trace_id: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});
export type DecisionData = z.infer<typeof decisionData>;

export const DECISION_ENTRY = defineEntry({
  kind: "decision",
  actions: ["decision.allow", "decision.deny", "decision.require_approval"],
  data: decisionData,
  columns: {
    actor: z.string().startsWith("agent:"),
    session_id: z.string(),
    step: z.number().int().min(1).nullable(),
    agent_id: uuid,
    tool: z.string(),
    outcome: decisionOutcome,
    decision_id: uuid,
  },
});

type Reason = z.infer<typeof reason>;
type Redaction = z.infer<typeof redaction>;

/** What decide() knows when it records a decision (lib/decisions/decide.ts). */
export interface DecisionFacts {
  decisionId: string;
  at: string;
  outcome: z.infer<typeof decisionOutcome>;
  agent: { agentId: string; keyId: string; name: string };
  /** The MCP method decided. */
  method: NonNullable<DecisionData["method"]>;
  /** The inventory key of the target (lib/inventory/item-key.ts), or the requested one when unknown. */
  toolKey: string;
  /** The tool as the inventory knows it, or the requested reference when it does not. */
  tool:
    | { server: string; name: string; status: "unknown" }
    | { server: string; name: string; status: "pending" | "approved" | "rejected"; effect: string | null; risk: string | null; labels: string[] };
  session:
    | { foreign: false; id: string; step: number; initiator: string | null; initiatorVerified: boolean; labelsBefore: string[] }
    | { foreign: true; id: string; ownerAgentId: string };
  approvalPending?: { id: string; expires_at: string };
  approvalUsed?: string;
  /** The arguments after redaction (a JSON object). */
  arguments: unknown;
  argumentsHash: string;
  delegation: {
    present: boolean;
    chain: Array<{ agent_id: string; name: string }>;
    depth: number;
    onBehalfOf: string | null;
    scopes: string[];
    tokenId: string | null;
  };
  errors: Reason[];
  reasons: Reason[];
  latencyUs: number;
  policyVersion: string;
  redactions: Redaction[];
  requestId: string | null;
  shadow?: { version: string; decision: z.infer<typeof decisionOutcome>; reasons: Reason[] };
  /** The sampled OpenTelemetry trace of the decision (lib/telemetry/tracing.ts), if any. */
  traceId?: string;
}

/**
 * The builder. Keys are written in code-unit order (here and in the nested objects it builds), so the
 * hash chain's canonical JSON needs no reordering on the decision path.
 */
export function decisionEntry(f: DecisionFacts): AuditEntryInput {
  const s = f.session;
  const t = f.tool;
  const d = f.delegation;
  return {
    kind: "decision",
    action: `decision.${f.outcome}`,
    actor: `agent:${f.agent.name}`,
    session_id: s.id,
    step: s.foreign ? null : s.step,
    agent_id: f.agent.agentId,
    tool: f.toolKey,
    outcome: f.outcome,
    decision_id: f.decisionId,
    created_at: f.at,
    data: {
      agent: { id: f.agent.agentId, key_id: f.agent.keyId, name: f.agent.name },
      approval: f.approvalPending
        ? { expires_at: f.approvalPending.expires_at, id: f.approvalPending.id, status: "pending" }
        : f.approvalUsed
          ? { id: f.approvalUsed, status: "used" }
          : null,
      arguments: f.arguments,
      arguments_hash: f.argumentsHash,
      delegation: d.present ? { chain: d.chain, depth: d.depth, on_behalf_of: d.onBehalfOf, scopes: d.scopes, token_id: d.tokenId } : null,
      errors: f.errors.map(inOrder),
      latency_us: f.latencyUs,
      method: f.method,
      policy_version: f.policyVersion,
      reasons: f.reasons.map(inOrder),
      redactions: f.redactions.map(redactionInOrder),
      request_id: f.requestId,
      session: s.foreign
        ? { foreign_attempt: true, id: s.id, owner_agent_id: s.ownerAgentId, step: null }
        : { id: s.id, initiator: s.initiator, initiator_verified: s.initiatorVerified, labels_before: s.labelsBefore, step: s.step },
      shadow: f.shadow ? { decision: f.shadow.decision, reasons: f.shadow.reasons.map(inOrder), version: f.shadow.version } : null,
      tool:
        t.status === "unknown"
          ? { name: t.name, server: t.server, status: "unknown" }
          : { effect: t.effect, labels: t.labels, name: t.name, risk: t.risk, server: t.server, status: t.status },
      // Absent (undefined: not written, not hashed) unless the decision was traced and sampled.
      trace_id: f.traceId,
      v: FORMAT_VERSION,
    } satisfies Omit<DecisionData, "arguments"> & { arguments: unknown; v: number },
  };
}

/**
 * A reason with its keys in code-unit order (reasons are made `{ policy, message }` everywhere): the
 * entry is then in canonical order as a whole and the hash chain writes it with one JSON.stringify,
 * without copying it (lib/util/canonical-json.ts). The stored and hashed content is the same.
 */
function inOrder(r: Reason): Reason {
  return { message: r.message, policy: r.policy };
}

function redactionInOrder(r: Redaction): Redaction {
  return r.pattern === undefined ? { kind: r.kind, path: r.path } : { kind: r.kind, path: r.path, pattern: r.pattern };
}

const at = dataPaths<DecisionData>();
/** JSON paths of decision entries, for SQL (`kind = 'decision'`). */
export const DECISION = {
  agentName: at("agent", "name"),
  approvalStatus: at("approval", "status"),
  arguments: at("arguments"),
  method: at("method"),
  delegation: at("delegation"),
  delegationChain: at("delegation", "chain"),
  firstReasonPolicy: at("reasons", 0, "policy"),
  policyVersion: at("policy_version"),
  reasons: at("reasons"),
  redactions: at("redactions"),
  session: at("session"),
  shadowDecision: at("shadow", "decision"),
  shadowReasons: at("shadow", "reasons"),
  shadowVersion: at("shadow", "version"),
  tool: at("tool"),
};
