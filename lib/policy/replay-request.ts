/**
 * Rebuilds the Cedar request of a recorded decision from its audit entry, for what-if replay. What the
 * entry does not hold exactly is marked *unknown* (never guessed): arguments that were redacted (unless
 * their real values were retained), the session's tools-used set when the session began before the
 * replay window, the session's age when its start is not known.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { buildMcpCall, NO_DELEGATION, type DecidedItem, type DelegationView, type McpCedarAction } from "../decisions/mcp-request.ts";
import { isServerAction } from "../api/schemas.ts";
import { itemKey, type ItemKind } from "../inventory/item-key.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import type { CedarCall } from "./evaluator.ts";
import { unknownValue } from "./simulate.ts";

export interface RecordedDecision {
  decision_id: string;
  created_at: Date;
  session_id: string;
  /** null: a foreign attempt (another agent's request in the session), no step of it. */
  step: number | null;
  agent_id: string | null;
  agent_name: string;
  tool: string;
  outcome: "allow" | "deny" | "require_approval";
  tool_info: { server: string; name: string; status: string; effect?: string | null; risk?: string | null; labels?: string[] } | null;
  args: Record<string, unknown> | null;
  redactions: Array<{ path: string }> | null;
  session: { labels_before?: string[]; initiator?: string | null; initiator_verified?: boolean } | null;
  delegation: { depth: number; chain: Array<{ agent_id: string; name: string }>; on_behalf_of: string | null; scopes: string[]; token_id?: string } | null;
  first_reason: string | null;
  approval_status: string | null;
  /** The MCP method decided (null in entries written before resources and prompts were decided: tools/call). */
  method?: string | null;
}

const KIND_OF_METHOD: Record<string, ItemKind> = {
  "resources/read": "resource",
  "resources/subscribe": "resource",
  "resources/unsubscribe": "resource",
  "prompts/get": "prompt",
};

export interface ReplayInputs {
  agent: AgentPrincipal;
  openWorld: boolean;
  /** Real arguments retained for this decision, if any. */
  retained: Record<string, unknown> | undefined;
  /** Tools used in the session before this step, or null when not known. */
  toolsUsed: string[] | null;
  /** When the session started (ms), or null when not known. */
  sessionStart: number | null;
}

export interface RebuiltRequest {
  /** The request with recorded values only (redaction markers, empty tools-used set where unknown). */
  call: CedarCall;
  /** Unknown context parts, as dotted paths ("args.token", "session.toolsUsed"). */
  unknowns: string[];
  /** The same request with every unknown part marked unknown, for partial evaluation. */
  withUnknowns(): CedarCall;
}

function decodePointer(path: string): string[] {
  return path
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function setAt(root: Record<string, unknown>, segments: string[], value: unknown): boolean {
  let cur: unknown = root;
  for (let i = 0; i < segments.length - 1; i++) {
    if (!cur || typeof cur !== "object") return false;
    cur = (cur as Record<string, unknown>)[segments[i]];
  }
  if (!cur || typeof cur !== "object") return false;
  (cur as Record<string, unknown>)[segments[segments.length - 1]] = value;
  return true;
}

/** The recorded target: an inventory item, or (a server-level method) the server as it was summarised. */
function recordedTarget(d: RecordedDecision, openWorld: boolean): DecidedItem {
  const t = d.tool_info!;
  if (d.method && isServerAction(d.method)) {
    return {
      kind: "server",
      server: t.server,
      name: t.server,
      key: t.server,
      status: t.status === "approved" ? "approved" : "pending",
      effect: t.effect ?? "unknown",
      risk: t.risk ?? "critical",
      labels: t.labels ?? [],
      openWorld,
      detectorsOff: [], // not read by policies
    };
  }
  // completion/complete names a prompt (its key holds "prompt:") or a resource.
  const kind: ItemKind =
    d.method === "completion/complete" ? (d.tool.startsWith(`${t.server}/prompt:`) ? "prompt" : "resource") : (KIND_OF_METHOD[d.method ?? ""] ?? "tool");
  const tool: ToolInfo = {
    id: "",
    kind,
    server: t.server,
    name: t.name,
    key: itemKey(kind, t.server, t.name),
    status: t.status as ToolInfo["status"],
    effect: t.effect ?? null,
    risk: t.risk ?? null,
    labels: t.labels ?? [],
    sensitiveArgs: [],
    blocked: null,
    inputSchema: null,
    openWorld,
  };
  return tool;
}

export function rebuildRequest(d: RecordedDecision, i: ReplayInputs): RebuiltRequest {
  const tool = recordedTarget(d, i.openWorld);
  const kind = tool.kind;
  const now = d.created_at.getTime();
  const delegation: DelegationView = d.delegation
    ? {
        present: true,
        depth: d.delegation.depth,
        chain: d.delegation.chain,
        onBehalfOf: d.delegation.on_behalf_of,
        scopes: d.delegation.scopes,
        tokenId: d.delegation.token_id ?? null,
      }
    : NO_DELEGATION;
  const redacted = (d.redactions ?? []).length > 0 && !i.retained;
  const call = buildMcpCall({
    action: (kind === "tool" ? "tools/call" : d.method) as McpCedarAction,
    agent: i.agent,
    tool,
    args: i.retained ?? d.args ?? {},
    session: {
      id: d.session_id,
      exists: true,
      agentId: d.agent_id,
      initiator: d.session?.initiator ?? null,
      initiatorVerified: !!d.session?.initiator_verified,
      // (A decision without a step, a foreign attempt, is settled before policy and never rebuilt.)
      stepCount: (d.step ?? 1) - 1,
      toolsUsed: i.toolsUsed ?? [],
      labels: d.session?.labels_before ?? [],
      status: "active",
      terminatedReason: null,
      startedAt: i.sessionStart ?? now,
      approvalsGranted: 0,
      // Which of labels_before were observed is not recorded in the decision entry: replay sees them as declared.
      observedLabels: [],
    },
    delegation,
    approvalGranted: false,
    now,
  });
  const pointers = redacted ? d.redactions!.map((r) => decodePointer(r.path)).filter((seg) => seg.length > 0) : [];
  const unknowns = [
    ...new Set([
      ...pointers.map((seg) => `args.${seg[0]}`),
      ...(i.toolsUsed === null ? ["session.toolsUsed"] : []),
      ...(i.sessionStart === null ? ["session.ageSeconds"] : []),
    ]),
  ];
  const withUnknowns = (): CedarCall => {
    const ctx = structuredClone(call.context) as Record<string, Record<string, cedar.CedarValueJson>>;
    for (const seg of pointers) setAt(ctx.args, seg, unknownValue("args"));
    if (i.toolsUsed === null) ctx.session.toolsUsed = unknownValue("session");
    if (i.sessionStart === null) ctx.session.ageSeconds = unknownValue("session");
    return { ...call, context: ctx };
  };
  return { call, unknowns, withUnknowns };
}

/** Whether a policy that reads `usage` paths can depend on an unknown at `unknown` (both dotted). */
export function overlaps(usage: string, unknown: string): boolean {
  return usage === unknown || usage.startsWith(`${unknown}.`) || unknown.startsWith(`${usage}.`);
}
