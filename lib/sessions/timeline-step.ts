/**
 * One step of a session's timeline, assembled from its audit entries: the decision (arguments as
 * stored — redacted —, reasons, policy version, latency, delegation chain, labels before), the outcome
 * event reported by the gateway, and approval events. Pure, so the assembly is unit-tested.
 */
import { isServerAction } from "../api/schemas.ts";

export interface Reason {
  policy: string;
  message: string;
}

export interface TimelineStep {
  step: number;
  at: string;
  decisionId: string | null;
  chainId: string;
  seq: number;
  agentId: string | null;
  agent: string;
  /** The MCP method decided (entries written before other methods were decided have none: tools/call). */
  method: string;
  /** Whether the method is about a whole server (initialize, logging, tasks, a server's own requests): `tool` is then the server. */
  serverLevel: boolean;
  /** The target as the step names it: the tool key, or for a resource method the exact URI asked for. */
  target: string;
  tool: string;
  toolLabels: string[];
  toolRisk: string | null;
  toolEffect: string | null;
  outcome: string;
  reasons: Reason[];
  errors: Reason[];
  policyVersion: string | null;
  latencyUs: number | null;
  arguments: unknown;
  redactions: unknown;
  labelsBefore: string[];
  /** The session's labels after this step: an allowed step adds its tool's labels. */
  labelsAfter: string[];
  /** Labels this step added (empty unless allowed and new), declared or observed. */
  labelsAdded: string[];
  /** Labels found in this step's result (outcome.labels_observed), as opposed to its tool's declared labels. */
  labelsObserved: string[];
  delegation: { depth: number; chain: Array<{ agent_id?: string; name?: string }>; onBehalfOf: string | null; scopes: string[] } | null;
  approval: { id: string; status: string; expiresAt?: string } | null;
  shadow: { version: string; decision: string } | null;
  result: { status: string; durationMs: number | null; error: string | null; at: string } | null;
  events: Array<{ kind: string; action: string; actor: string; at: string; note: string | null }>;
  /** The OpenTelemetry trace the decision was made in (decision.trace_id), when it was traced and sampled. */
  traceId: string | null;
}

export interface EntryRow {
  chain_id: string;
  seq: number;
  kind: string;
  action: string;
  actor: string;
  step: number | null;
  agent_id: string | null;
  tool: string | null;
  outcome: string | null;
  decision_id: string | null;
  created_at: string | Date;
  data: EntryDataRead;
}

/**
 * What a timeline reads of an entry's `data` (docs/audit-format.md): a decision's, an outcome's or an
 * approval's, of any format version — so every field is optional and checked where it is used.
 */
export interface EntryDataRead {
  /** A decision's MCP method (absent before resources, prompts and server methods were decided). */
  method?: unknown;
  /** outcome.labels_observed: the labels it added. */
  added?: unknown;
  agent?: { name?: unknown };
  tool?: { labels?: unknown; risk?: string | null; effect?: string | null };
  session?: { labels_before?: unknown };
  reasons?: Reason[];
  errors?: Reason[];
  policy_version?: string | null;
  latency_us?: unknown;
  arguments?: unknown;
  redactions?: unknown;
  delegation?: { depth?: unknown; chain?: Array<{ agent_id?: string; name?: string }>; on_behalf_of?: string | null; scopes?: unknown } | null;
  approval?: { id?: unknown; status?: unknown; expires_at?: string } | null;
  shadow?: { version?: unknown; decision?: unknown } | null;
  status?: string;
  duration_ms?: unknown;
  error?: string | null;
  comment?: string | null;
  reason?: string | null;
  trace_id?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const iso = (v: string | Date) => new Date(v).toISOString();

/** The action of labels observed in a step's result (lib/audit/entries/outcome.ts). */
const OBSERVED = "outcome.labels_observed";

export function labelsAfter(before: string[], outcome: string, toolLabels: string[]): string[] {
  if (outcome !== "allow") return before;
  return [...new Set([...before, ...toolLabels])].sort();
}

export function toTimelineStep(decision: EntryRow, related: EntryRow[]): TimelineStep {
  const d = decision.data ?? {};
  const method = typeof d.method === "string" && d.method ? d.method : "tools/call";
  const serverLevel = isServerAction(method);
  const toolLabels = strings(d.tool?.labels);
  const before = strings(d.session?.labels_before);
  const outcome = decision.outcome ?? "unknown";
  const observed = related.filter((r) => r.action === OBSERVED).flatMap((r) => strings(r.data?.added));
  // A server-level method adds no declared labels (its server's summarise its items; they did not flow).
  const after = labelsAfter(before, outcome, [...(serverLevel ? [] : toolLabels), ...observed]);
  const args = d.arguments && typeof d.arguments === "object" ? (d.arguments as Record<string, unknown>) : {};
  const uri = method.startsWith("resources/") && typeof args.uri === "string" ? args.uri : null;
  const tool = decision.tool ?? "";
  const resultRow = related.find((r) => r.kind === "outcome" && r.action !== OBSERVED && (!r.decision_id || r.decision_id === decision.decision_id));
  const del = d.delegation;
  return {
    step: decision.step ?? 0,
    at: iso(decision.created_at),
    decisionId: decision.decision_id,
    chainId: decision.chain_id,
    seq: Number(decision.seq),
    agentId: decision.agent_id,
    agent: typeof d.agent?.name === "string" ? d.agent.name : decision.actor.replace(/^agent:/, ""),
    method,
    serverLevel,
    target: uri && tool.includes("/") ? `${tool.slice(0, tool.indexOf("/"))}/${uri}` : tool,
    tool,
    toolLabels,
    toolRisk: d.tool?.risk ?? null,
    toolEffect: d.tool?.effect ?? null,
    outcome,
    reasons: Array.isArray(d.reasons) ? d.reasons : [],
    errors: Array.isArray(d.errors) ? d.errors : [],
    policyVersion: d.policy_version ?? null,
    latencyUs: typeof d.latency_us === "number" ? d.latency_us : null,
    arguments: d.arguments ?? null,
    redactions: d.redactions ?? null,
    labelsBefore: before,
    labelsAfter: after,
    labelsAdded: after.filter((l) => !before.includes(l)),
    labelsObserved: [...new Set(observed)].sort(),
    delegation: del
      ? { depth: Number(del.depth ?? 0), chain: Array.isArray(del.chain) ? del.chain : [], onBehalfOf: del.on_behalf_of ?? null, scopes: strings(del.scopes) }
      : null,
    approval: d.approval ? { id: String(d.approval.id), status: String(d.approval.status), expiresAt: d.approval.expires_at } : null,
    shadow: d.shadow ? { version: String(d.shadow.version), decision: String(d.shadow.decision) } : null,
    result: resultRow
      ? {
          status: resultRow.outcome ?? resultRow.data?.status ?? "unknown",
          durationMs: typeof resultRow.data?.duration_ms === "number" ? resultRow.data.duration_ms : null,
          error: resultRow.data?.error ?? null,
          at: iso(resultRow.created_at),
        }
      : null,
    traceId: typeof d.trace_id === "string" ? d.trace_id : null,
    events: related
      .filter((r) => r.kind !== "outcome")
      .map((r) => ({ kind: r.kind, action: r.action, actor: r.actor, at: iso(r.created_at), note: r.data?.comment ?? r.data?.reason ?? null })),
  };
}
