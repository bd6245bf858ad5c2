/**
 * Builds the Cedar request for an MCP tool call or visibility check (DESIGN.md, "Decision semantics").
 */
import { remainingCalls, type DelegationBudget } from "../delegation/budget.ts";
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ServerInfo, ToolInfo } from "../inventory/tool-cache.ts";
import type { ItemKind } from "../inventory/item-key.ts";
import type { McpAction } from "../api/schemas.ts";
import { RISK_LEVEL } from "../policy/mcp-schema.ts";
import { toCedarRecord } from "../policy/cedar-values.ts";
import type { CedarCall } from "../policy/evaluator.ts";
import type { SessionState } from "../sessions/session-cache.ts";

export interface DelegationView {
  present: boolean;
  depth: number;
  /** Agent names from the first hop to the acting agent. */
  chain: Array<{ agent_id: string; name: string }>;
  onBehalfOf: string | null;
  scopes: string[];
  tokenId: string | null;
  /** The session the delegation token was issued for (`sid`); a decision in another session is denied. */
  sessionId?: string | null;
  /** The call budgets of the delegation and of those it came from (lib/delegation/budget.ts). */
  budgets?: DelegationBudget[];
}

export const NO_DELEGATION: DelegationView = { present: false, depth: 0, chain: [], onBehalfOf: null, scopes: [], tokenId: null };

/** Actions: the decided MCP methods, and the list methods (visibility: nothing is written). */
export type McpCedarAction = McpAction | "tools/list" | "resources/list" | "prompts/list";

/** The Cedar entity type of each kind of inventory item, and of a server. */
export const ENTITY_TYPE: Record<ItemKind | "server", string> = { tool: "Tool", resource: "Resource", prompt: "Prompt", server: "Server" };

/** What a decision is about: an inventory item, or a whole server (server-level methods). */
export type DecidedItem = ToolInfo | ServerInfo;

export interface McpRequestInput {
  action: McpCedarAction;
  agent: AgentPrincipal;
  tool: DecidedItem;
  args: Record<string, unknown>;
  session: SessionState;
  delegation: DelegationView;
  approvalGranted: boolean;
  now: number;
  /** The call's counters (lib/counters); zero when not given (list actions, replay, AuthZEN server methods). */
  counters?: CallCounters;
}

/** `context.counters`: allowed calls before this one (docs/policies.md, "Counters"). */
export interface CallCounters {
  /** consecutiveFailures: failed outcomes in a row in this session (lib/counters/failure-streaks.ts). */
  session: { toolCalls: number; identicalCalls: number; consecutiveFailures: number };
  agent: { minute: number; hour: number; toolMinute: number };
}

export const ZERO_COUNTERS: CallCounters = {
  session: { toolCalls: 0, identicalCalls: 0, consecutiveFailures: 0 },
  agent: { minute: 0, hour: 0, toolMinute: 0 },
};

export function agentEntity(agent: AgentPrincipal): cedar.EntityJson {
  return {
    uid: { type: "Agent", id: agent.name },
    attrs: { name: agent.name, team: agent.team ?? "", owner: agent.owner ?? "", environment: agent.environment ?? "" },
    parents: agent.team ? [{ type: "Team", id: agent.team }] : [],
  };
}

export function serverEntity(s: ServerInfo): cedar.EntityJson {
  return {
    uid: { type: "Server", id: s.name },
    attrs: {
      server: s.server,
      name: s.name,
      status: s.status,
      effect: s.effect,
      risk: s.risk,
      riskLevel: RISK_LEVEL[s.risk] ?? 3,
      labels: s.labels,
      openWorld: s.openWorld,
    },
    parents: [],
  };
}

export function toolEntity(tool: DecidedItem): cedar.EntityJson {
  if (tool.kind === "server") return serverEntity(tool);
  const approved = tool.status === "approved";
  return {
    uid: { type: ENTITY_TYPE[tool.kind], id: tool.key },
    attrs: {
      server: tool.server,
      name: tool.name,
      status: tool.status,
      // Only an approved classification is trusted; anything else is treated as the worst case.
      effect: approved ? (tool.effect ?? "destructive") : "unknown",
      risk: approved ? (tool.risk ?? "critical") : "critical",
      riskLevel: approved ? (RISK_LEVEL[tool.risk ?? "critical"] ?? 3) : 3,
      labels: approved ? tool.labels : [],
      openWorld: tool.openWorld,
    },
    parents: [{ type: "Server", id: tool.server }],
  };
}

/** The Cedar context of an MCP request: arguments, session, delegation, approval and time. */
export function mcpContext(i: Omit<McpRequestInput, "action" | "tool" | "agent">): Record<string, cedar.CedarValueJson> {
  const d = new Date(i.now);
  const session: Record<string, cedar.CedarValueJson> = {
    id: i.session.id,
    initiatorVerified: i.session.initiatorVerified,
    steps: i.session.stepCount,
    toolsUsed: i.session.toolsUsed,
    labels: i.session.labels,
    observedLabels: i.session.observedLabels,
    ageSeconds: Math.max(0, Math.floor((i.now - i.session.startedAt) / 1000)),
  };
  if (i.session.initiator) session.initiator = i.session.initiator;
  const delegation: Record<string, cedar.CedarValueJson> = {
    present: i.delegation.present,
    depth: i.delegation.depth,
    chain: i.delegation.chain.map((c) => c.name),
    scopes: i.delegation.scopes,
  };
  if (i.delegation.onBehalfOf) delegation.onBehalfOf = i.delegation.onBehalfOf;
  // The least calls left over the lineage's budgets, before this call; absent when none has a budget.
  if (i.delegation.budgets?.length) delegation.remainingCalls = remainingCalls(i.delegation.budgets, i.session.counters)!;
  return {
    args: toCedarRecord(i.args),
    session,
    delegation,
    approval: { granted: i.approvalGranted },
    time: { epochSeconds: Math.floor(i.now / 1000), hourUtc: d.getUTCHours(), dayOfWeek: d.getUTCDay() },
    counters: (i.counters ?? ZERO_COUNTERS) as unknown as cedar.CedarValueJson,
  };
}

export function buildMcpCall(i: McpRequestInput): CedarCall {
  return {
    principal: { type: "Agent", id: i.agent.name },
    action: { type: "Action", id: i.action },
    resource: { type: ENTITY_TYPE[i.tool.kind], id: i.tool.key },
    context: mcpContext(i),
    entities: [agentEntity(i.agent), toolEntity(i.tool)],
  };
}
