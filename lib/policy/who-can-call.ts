/**
 * "Who can call this tool": each agent's answer under a policy set, by Cedar partial evaluation. The
 * agent and the tool are known; the call's arguments, the session state, the delegation and the time
 * are *unknown*. Cedar then answers allow or deny only when no value of the unknowns could change it;
 * otherwise it returns residual policies, and the answer is `conditional` with the conditions listed —
 * never a plain yes.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { agentEntity, ENTITY_TYPE, toolEntity } from "../decisions/mcp-request.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { parsePolicySet, toStaticPolicies, type PolicyPart } from "./policy-set.ts";

export type Verdict = "allowed" | "denied" | "approval" | "conditional";

export interface Condition {
  policy: string;
  effect: "permit" | "forbid";
  message: string;
  /** Which unknown parts of the request this condition reads: arguments, session, delegation, time. */
  dependsOn: string[];
}

export interface AgentAccess {
  agent: string;
  team: string | null;
  verdict: Verdict;
  /** For allowed/denied/approval: the determining policies. */
  reasons: Array<{ policy: string; message: string }>;
  /** For conditional: the policies whose outcome depends on the unknowns. */
  conditions: Condition[];
  /** Conditional, and once a human approves it would be allowed under the same conditions. */
  approvalGated?: boolean;
}

const UNKNOWN_PARTS: Record<string, string> = { args: "arguments", session: "session state", delegation: "delegation", time: "time" };
const unknown = (name: string) => ({ __extn: { fn: "unknown", arg: name } });

function unknownsIn(residual: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.unknown)) {
      const name = (o.unknown[0] as { Value?: string } | undefined)?.Value;
      if (name && UNKNOWN_PARTS[name]) found.add(UNKNOWN_PARTS[name]);
    }
    Object.values(o).forEach(walk);
  };
  walk(residual);
  return [...found].sort();
}

function message(p: PolicyPart | undefined, id: string): string {
  return p?.annotations.reason ?? p?.annotations.message ?? `${p?.effect ?? "policy"} ${id}`;
}

interface Partial {
  decision: "allow" | "deny" | null;
  determining: string[];
  residuals: Record<string, unknown>;
  nontrivial: string[];
}

function evaluatePartial(policies: Record<string, string>, agent: AgentPrincipal, tool: ToolInfo, action: string, approvalGranted: boolean): Partial {
  const answer = cedar.isAuthorizedPartial({
    principal: { type: "Agent", id: agent.name },
    action: { type: "Action", id: action },
    resource: { type: ENTITY_TYPE[tool.kind], id: tool.key },
    context: {
      args: unknown("args"),
      session: unknown("session"),
      delegation: unknown("delegation"),
      time: unknown("time"),
      approval: { granted: approvalGranted },
    },
    policies: { staticPolicies: policies },
    entities: [agentEntity(agent), toolEntity(tool)],
  });
  if (answer.type !== "residuals") throw new Error(answer.errors.map((e) => e.message).join("; "));
  const r = answer.response;
  return {
    decision: r.decision ?? null,
    determining: [...r.mustBeDetermining, ...r.satisfied.filter((x) => !r.mustBeDetermining.includes(x))],
    residuals: r.residuals,
    nontrivial: r.nontrivialResiduals,
  };
}

/** What "calling" an inventory item is: a tool's call, a resource's read, a prompt's get. */
const USE_ACTION = { tool: "tools/call", resource: "resources/read", prompt: "prompts/get" } as const;

/** Each agent's access to the item under the policy text ("tools/call", "resources/read" or "prompts/get"). Suspended agents are denied. */
export function whoCanCall(policyText: string, agents: AgentPrincipal[], tool: ToolInfo): AgentAccess[] {
  const parsed = parsePolicySet(policyText);
  if (!parsed.ok) throw new Error(`the policy set does not parse: ${parsed.problems[0]?.message}`);
  const byId = new Map(parsed.policies.map((p) => [p.id, p]));
  const policies = toStaticPolicies(parsed.policies);
  const reasonsOf = (ids: string[]) => ids.map((id) => ({ policy: id, message: message(byId.get(id), id) }));
  const conditionsOf = (p: Partial) =>
    p.nontrivial.map((id) => ({
      policy: id,
      effect: byId.get(id)?.effect ?? "forbid",
      message: message(byId.get(id), id),
      dependsOn: unknownsIn(p.residuals[id]),
    }));

  return agents.map((agent) => {
    const base = { agent: agent.name, team: agent.team };
    if (agent.suspended)
      return { ...base, verdict: "denied" as const, reasons: [{ policy: "mandate.agent_suspended", message: "the agent is suspended" }], conditions: [] };
    const first = evaluatePartial(policies, agent, tool, USE_ACTION[tool.kind], false);
    if (first.decision === "allow") return { ...base, verdict: "allowed" as const, reasons: reasonsOf(first.determining), conditions: [] };
    if (first.decision === null) return { ...base, verdict: "conditional" as const, reasons: [], conditions: conditionsOf(first) };
    const granted = evaluatePartial(policies, agent, tool, USE_ACTION[tool.kind], true);
    if (granted.decision === "allow") return { ...base, verdict: "approval" as const, reasons: reasonsOf(first.determining), conditions: [] };
    if (granted.decision === null)
      return { ...base, verdict: "conditional" as const, reasons: reasonsOf(first.determining), conditions: conditionsOf(granted), approvalGated: true };
    const reasons = first.determining.length ? reasonsOf(first.determining) : [{ policy: "mandate.default_deny", message: "no policy permits this call" }];
    return { ...base, verdict: "denied" as const, reasons, conditions: [] };
  });
}
