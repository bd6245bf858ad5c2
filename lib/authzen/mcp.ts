/**
 * The AuthZEN MCP profile on the "mcp" store (as the AuthZEN MCP profile drafts propose):
 *   action.name "tools/call" | "tools/list"   resource {type: "tool", id: "<server>/<tool>"}
 *   resource.properties.arguments (or context.arguments) → the tool arguments
 *   context.agent (a name, or {id|name}) → the acting agent, the Cedar principal; a subject of type
 *   "agent" is the agent itself; a subject of type "user" is the session's initiator
 *   context.session {id, initiator}, context.delegation_token → as on the native path.
 * tools/call runs decide() — sessions, approvals, receipts and its own audit entry, exactly like
 * POST /api/v1/decisions — with the PEP's key id recorded as the credential; tools/list runs the
 * visibility check. A require_approval outcome is a (requestable) deny: decision false with the approval.
 */
import { randomUUID } from "node:crypto";
import { toolRef, type DecisionRequest } from "../api/schemas.ts";
import { decide } from "../decisions/decide.ts";
import { visibleTools } from "../decisions/visible-tools.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { Reason } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { authzenDecisionEntry } from "../audit/entries/index.ts";
import { auditedRequest, reasonText, type Caller, type ItemOutcome } from "./audit.ts";
import { badRequest, isObj, type AzEvaluation } from "./request.ts";

export const MCP_TOOL_TYPES = new Set(["tool", "Tool", "mcp-tool"]);
export const MCP_AGENT_TYPES = new Set(["agent", "Agent"]);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function agentRefOf(ev: Pick<AzEvaluation, "subject" | "context">): string | null {
  const a = ev.context?.agent;
  if (typeof a === "string" && a) return a;
  if (isObj(a)) for (const k of ["name", "id"]) if (typeof a[k] === "string" && a[k]) return a[k];
  return MCP_AGENT_TYPES.has(ev.subject.type) && ev.subject.id ? ev.subject.id : null;
}

export function toolRefOf(resource: AzEvaluation["resource"]): { server: string; name: string } | string {
  if (!MCP_TOOL_TYPES.has(resource.type)) return `the MCP store decides on resources of type "tool" (got "${resource.type}")`;
  const server = resource.properties?.server;
  let ref: { server: string; name: string };
  if (typeof server === "string" && server) ref = { server, name: resource.id.startsWith(`${server}/`) ? resource.id.slice(server.length + 1) : resource.id };
  else {
    const i = resource.id.indexOf("/");
    if (i <= 0) return `resource.id must be "<server>/<tool>" (or give resource.properties.server)`;
    ref = { server: resource.id.slice(0, i), name: resource.id.slice(i + 1) };
  }
  const r = toolRef.safeParse(ref);
  return r.success ? r.data : `invalid tool reference: ${r.error.issues[0]?.message ?? "malformed"}`;
}

/**
 * The tool arguments, exactly as given: absent means {} (as on the native API); given in both places,
 * or not as an object, is a 400 — never a guess at which the PEP will run.
 */
function argumentsOf(ev: AzEvaluation): Record<string, unknown> {
  const inResource = ev.resource.properties?.arguments;
  const inContext = ev.context?.arguments;
  if (inResource !== undefined && inContext !== undefined) {
    throw badRequest("give the tool arguments once: resource.properties.arguments or context.arguments, not both");
  }
  const [a, path] = inResource !== undefined ? [inResource, "resource.properties.arguments"] : [inContext, "context.arguments"];
  if (a === undefined) return {};
  if (!isObj(a)) throw badRequest(`${path}: must be an object`);
  return a;
}

function sessionOf(ev: AzEvaluation): { id: string; initiator?: string } | null {
  const s = ev.context?.session;
  const id = isObj(s) && typeof s.id === "string" ? s.id : typeof ev.context?.session_id === "string" ? ev.context.session_id : null;
  if (!id) return null;
  const asserted = isObj(s) && typeof s.initiator === "string" ? s.initiator : null;
  const initiator = asserted ?? (!MCP_AGENT_TYPES.has(ev.subject.type) ? ev.subject.id : null);
  return { id: id.slice(0, 200), ...(initiator && EMAIL_RE.test(initiator) ? { initiator } : {}) };
}

function denied(caller: Caller, ev: AzEvaluation, reason: Reason, extra: { tool?: string; agent_id?: string } = {}): ItemOutcome {
  const id = randomUUID();
  return {
    answer: { decision: false, context: { id, reason_admin: { en: reasonText([reason]) } } },
    audit: authzenDecisionEntry(
      caller,
      "mcp",
      id,
      "deny",
      { request: auditedRequest(ev), reasons: [reason], errors: [] },
      { tool: extra.tool ?? null, agent_id: extra.agent_id ?? null },
    ),
  };
}

export async function resolveAgent(rt: Runtime, ev: Pick<AzEvaluation, "subject" | "context">, caller: Caller): Promise<AgentPrincipal | Reason> {
  const ref = agentRefOf(ev);
  if (!ref) return { policy: "mandate.agent_missing", message: "name the acting agent in context.agent (or use a subject of type agent)" };
  const agent = await rt.authzen.agents.get(ref);
  if (!agent) return { policy: "mandate.agent_unknown", message: `agent ${ref} is not registered` };
  return { ...agent, keyId: caller.pep.keyId };
}

export async function evaluateMcp(rt: Runtime, ev: AzEvaluation, caller: Caller): Promise<ItemOutcome> {
  const action = ev.action.name;
  if (action !== "tools/call" && action !== "tools/list") {
    return denied(caller, ev, { policy: "mandate.mcp_unsupported_action", message: `the MCP store decides tools/call and tools/list (got "${action}")` });
  }
  const ref = toolRefOf(ev.resource);
  if (typeof ref === "string") return denied(caller, ev, { policy: "mandate.mcp_invalid_resource", message: ref });
  const key = `${ref.server}/${ref.name}`;
  const agent = await resolveAgent(rt, ev, caller);
  if (!("agentId" in agent)) return denied(caller, ev, agent, { tool: key });
  const session = sessionOf(ev);
  const token = typeof ev.context?.delegation_token === "string" ? ev.context.delegation_token : undefined;
  if (action === "tools/list") {
    const v = await visibleTools(rt, agent, { session: session ?? undefined, tools: [ref], delegation_token: token });
    const allowed = v.tools.length === 1;
    const id = randomUUID();
    const reasons = allowed ? [] : [{ policy: "mandate.not_visible", message: `tool ${key} is not visible to agent ${agent.name}` }];
    return {
      answer: { decision: allowed, context: { id, policy_version: v.policy_version, ...(allowed ? {} : { reason_admin: { en: reasonText(reasons) } }) } },
      audit: authzenDecisionEntry(
        caller,
        "mcp",
        id,
        allowed ? "allow" : "deny",
        { request: auditedRequest(ev), action: "tools/list", reasons, errors: [], policy_version: v.policy_version },
        { tool: key, agent_id: agent.agentId },
      ),
    };
  }
  const req: DecisionRequest = {
    session: session ?? { id: `authzen:${randomUUID()}` },
    tool: ref,
    arguments: argumentsOf(ev),
    ...(token ? { delegation_token: token } : {}),
    request_id: caller.requestId,
  };
  const r = await decide(rt, agent, req);
  const allowed = r.decision === "allow";
  return {
    answer: {
      decision: allowed,
      context: {
        id: r.decision_id,
        outcome: r.decision,
        policy_version: r.policy_version,
        session: r.session,
        ...(allowed ? {} : { reason_admin: { en: reasonText(r.reasons) } }),
        ...(r.approval ? { approval: r.approval } : {}),
        ...(r.receipt ? { receipt: r.receipt } : {}),
      },
    },
    audit: null,
  };
}
