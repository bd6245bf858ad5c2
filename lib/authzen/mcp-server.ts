/**
 * COAZ-MCP server-level methods on the "mcp" store: resource {type: "mcp_server", id: <server name in
 * the inventory>} with `initialize` or a list method. They are permitted to an active agent on a known
 * server unless a policy forbids: Cedar runs with principal Agent, Action::"<method>" and resource
 * Server::"<name>" (summarised from its approved items, as on the native path) and the same context as a tool call (arguments empty), and only
 * forbid policies count. A permit that cannot be evaluated on a server (it reads an argument) does
 * not matter, since the permit is built in; a forbid that cannot be evaluated denies (fail closed).
 * Not a session step: the decision is recorded in the audit log like every AuthZEN evaluation.
 */
import { randomUUID } from "node:crypto";
import { authzenDecisionEntry } from "../audit/entries/index.ts";
import { agentEntity, mcpContext, serverEntity, NO_DELEGATION, type DelegationView } from "../decisions/mcp-request.ts";
import { reasonFor, type Reason } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { emptySession } from "../sessions/session-cache.ts";
import { auditedRequest, reasonText, type Caller, type ItemOutcome } from "./audit.ts";
import { denied, resolveAgent, sessionOf, unsupportedAction } from "./mcp.ts";
import type { AzEvaluation } from "./request.ts";

export const COAZ_SERVER_TYPE = "mcp_server";
/** initialize and the list methods of the COAZ-MCP binding that target the server as a whole. */
export const SERVER_METHODS = ["initialize", "tools/list", "resources/list", "resources/templates/list", "prompts/list", "tasks/list"] as const;
type ServerMethod = (typeof SERVER_METHODS)[number];
const isServerMethod = (m: string): m is ServerMethod => (SERVER_METHODS as readonly string[]).includes(m);

const PERMITTED: Reason = {
  policy: "mandate.mcp_server_method",
  message: "initialize and the list methods on a known server are permitted to an active agent unless a policy forbids",
};

interface ServerCheck {
  allowed: boolean;
  reasons: Reason[];
  errors: Reason[];
  agentId: string | null;
  version: string | null;
}
const refused = (reason: Reason, agentId: string | null = null): ServerCheck => ({ allowed: false, reasons: [reason], errors: [], agentId, version: null });

/** The decision on a server method, without recording it (used by evaluation and by search). */
export async function checkServerMethod(rt: Runtime, ev: AzEvaluation, caller: Caller): Promise<ServerCheck> {
  const method = ev.action.name;
  if (!isServerMethod(method)) return refused(unsupportedAction(method, ev.resource.type));
  const server = ev.resource.id;
  const s = sessionOf(ev);
  const agent = await resolveAgent(rt, ev, caller);
  if (!("agentId" in agent)) return refused(agent);
  if (agent.suspended) {
    const why = agent.suspended.reason ? `: ${agent.suspended.reason}` : "";
    return refused({ policy: "mandate.agent_suspended", message: `agent ${agent.name} is suspended${why}` }, agent.agentId);
  }
  const summary = await rt.tools.getServer(server);
  if (!summary) {
    return refused({ policy: "mandate.mcp_unknown_server", message: `server ${server} is not in the inventory` }, agent.agentId);
  }
  const { active } = await rt.policies.get("mcp");
  if (!active) return refused({ policy: "mandate.no_active_policy", message: "no policy version is active: failing closed" }, agent.agentId);
  let delegation: DelegationView = NO_DELEGATION;
  const token = typeof ev.context?.delegation_token === "string" ? ev.context.delegation_token : null;
  if (token) {
    const v = await rt.delegation.verifier.verify(token, agent);
    if (!v.ok) return refused({ policy: "mandate.delegation_invalid", message: v.message }, agent.agentId);
    delegation = v.view;
  }
  const session = s.id ? await rt.sessions.get(s.id) : { ...emptySession(`authzen:${randomUUID()}`), initiator: s.initiator ?? null };
  if (session.status === "terminated") {
    return refused({ policy: "mandate.session_terminated", message: `session ${session.id} is terminated` }, agent.agentId);
  }
  const answer = await rt.evaluator.evaluate(active.cedarId, {
    principal: { type: "Agent", id: agent.name },
    action: { type: "Action", id: method },
    resource: { type: "Server", id: server },
    context: mcpContext({ args: {}, session, delegation, approvalGranted: false, now: Date.now() }),
    entities: [agentEntity(agent), serverEntity(summary)],
  });
  let reasons: Reason[];
  let errors: Reason[] = [];
  if (answer.type !== "success") {
    const message = answer.errors.map((e) => e.message).join("; ") || "Cedar could not evaluate the request";
    reasons = errors = [{ policy: "mandate.evaluation_error", message }];
  } else {
    const forbids = (id: string) => active.byId.get(id)?.effect === "forbid";
    errors = answer.response.diagnostics.errors.filter((e) => forbids(e.policyId)).map((e) => ({ policy: e.policyId, message: e.error.message }));
    const forbidden = answer.response.decision === "deny" ? answer.response.diagnostics.reason.filter(forbids) : [];
    if (errors.length) {
      reasons = [{ policy: "mandate.policy_error", message: `policy evaluation failed (${errors.map((e) => e.policy).join(", ")}): failing closed` }];
    } else reasons = forbidden.map((id) => reasonFor(active.byId.get(id), id));
  }
  return { allowed: reasons.length === 0, reasons, errors, agentId: agent.agentId, version: active.label };
}

export async function evaluateMcpServer(rt: Runtime, ev: AzEvaluation, caller: Caller): Promise<ItemOutcome> {
  const c = await checkServerMethod(rt, ev, caller);
  const method = ev.action.name;
  const ids = { agent_id: c.agentId };
  if (c.version === null || !isServerMethod(method)) return denied(caller, ev, c.reasons[0], ids.agent_id ? { agent_id: ids.agent_id } : {});
  const id = randomUUID();
  return {
    answer: {
      decision: c.allowed,
      context: { id, policy_version: c.version, ...(c.allowed ? {} : { reason_admin: { en: reasonText(c.reasons) } }) },
    },
    audit: authzenDecisionEntry(
      caller,
      "mcp",
      id,
      c.allowed ? "allow" : "deny",
      { request: auditedRequest(ev), action: method, reasons: c.allowed ? [PERMITTED] : c.reasons, errors: c.errors, policy_version: c.version },
      ids,
    ),
  };
}

/** The servers of the inventory, in name order. */
export async function inventoryServers(rt: Runtime): Promise<string[]> {
  return rt.tools.serverNames();
}
