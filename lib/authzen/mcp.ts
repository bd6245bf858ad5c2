/**
 * The AuthZEN MCP profile on the "mcp" store, in two forms. Mandate's own form:
 *   action.name "tools/call" | "tools/list"   resource {type: "tool", id: "<server>/<tool>"}
 *   resource.properties.arguments (or context.arguments) → the tool arguments
 *   context.agent (a name, or {id|name}) → the acting agent, the Cedar principal; a subject of type
 *   "agent" is the agent itself; a subject of type "user" is the session's initiator
 *   context.session {id, initiator}, context.delegation_token → as on the native path.
 * tools/call runs decide() — sessions, approvals, receipts and its own audit entry, exactly like
 * POST /api/v1/decisions — with the PEP's key id recorded as the credential; tools/list runs the
 * visibility check. A require_approval outcome is a (requestable) deny: decision false with the approval.
 *
 * The COAZ-MCP binding's default mappings (docs/authzen.md, "COAZ-MCP"): subject {type: "identity"} is
 * the human the agent acts for (the session's initiator, asserted); resource {type: "mcp_server"} is a
 * server-level method (mcp-server.ts); tools/call names the bare tool (resource.id = params.name),
 * resolved by resource.properties.server or else by the only approved tool of that name; resources,
 * prompts, completions, logging/setLevel and tasks are decided by mcp-items.ts.
 */
import { randomUUID } from "node:crypto";
import { toolRef, type DecisionRequest, type DecisionResponse } from "../api/schemas.ts";
import { decide } from "../decisions/decide.ts";
import { visibleTools } from "../decisions/visible-tools.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { Reason } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { contextUsage } from "../policy/context-usage.ts";
import type { LoadedPolicy } from "../policy/policy-cache.ts";
import { authzenDecisionEntry } from "../audit/entries/index.ts";
import { auditedRequest, reasonText, type Caller, type ItemOutcome } from "./audit.ts";
import { badRequest, isObj, type AzEvaluation } from "./request.ts";
import { evaluateCoazItem, isCoazItemRequest } from "./mcp-items.ts";

export const MCP_TOOL_TYPES = new Set(["tool", "Tool", "mcp-tool"]);
export const MCP_AGENT_TYPES = new Set(["agent", "Agent"]);
/** COAZ-MCP: the human on whose behalf the agent acts (`$token.sub`). */
const COAZ_IDENTITY_TYPE = "identity";
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The longest initiator a session records (as on the native API). */
const MAX_INITIATOR = 320;

/** COAZ-MCP default-mapped methods: decided on their own resource types (mcp-items.ts); on another type, false. */
const COAZ_ITEM_METHODS = new Set([
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "tasks/get",
  "tasks/result",
  "tasks/cancel",
]);
const SERVER_INITIATED = new Set(["sampling/createMessage", "elicitation/create", "roots/list"]);

/** Why the mcp store answers false to an action it does not decide (each is fail-closed). */
export function unsupportedAction(action: string, resourceType: string): Reason {
  const policy = "mandate.mcp_unsupported_action";
  if (COAZ_ITEM_METHODS.has(action)) {
    return {
      policy,
      message: `${action} on a resource of type "${resourceType}": the mcp store decides it on the binding's default type (resource, prompt, mcp_server or task)`,
    };
  }
  if (SERVER_INITIATED.has(action)) return { policy, message: `${action} is a server-initiated request: outside the COAZ-MCP binding's scope` };
  if (action === "ping" || action.startsWith("notifications/"))
    return { policy, message: `${action} is a COAZ-MCP pass-through: a PEP does not ask the PDP about it` };
  return {
    policy,
    message:
      `action "${action}" on a resource of type "${resourceType}" is not one the mcp store decides: ` +
      "its schema has no such action, so no policy can name it " +
      "(a declared mapping's actions and types belong in a policy store of their own)",
  };
}

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
 * The tool of a tools/call or tools/list, on the AuthZEN path. Mandate's form ("<server>/<tool>", or
 * properties.server plus the name) as toolRefOf; otherwise resource.id is the bare tool name (COAZ-MCP:
 * `$params.name`), resolved to the only approved, unblocked tool of that name. Two readings that name
 * different tools, or two approved servers offering the name, are ambiguous: never a guess.
 */
export async function resolveToolRef(rt: Runtime, resource: AzEvaluation["resource"]): Promise<{ server: string; name: string } | Reason> {
  const invalid = (message: string): Reason => ({ policy: "mandate.mcp_invalid_resource", message });
  if (!MCP_TOOL_TYPES.has(resource.type) || typeof resource.properties?.server === "string") {
    const ref = toolRefOf(resource);
    return typeof ref === "string" ? invalid(ref) : ref;
  }
  const id = resource.id;
  let exact: { server: string; name: string } | null = null;
  const offering: Array<{ server: string; name: string }> = [];
  const unapproved: Array<{ server: string; name: string }> = [];
  for (const t of await rt.tools.all()) {
    if (t.key === id) exact = { server: t.server, name: t.name };
    if (t.name !== id) continue;
    if (t.status === "approved" && !t.blocked) offering.push({ server: t.server, name: t.name });
    else unapproved.push({ server: t.server, name: t.name });
  }
  const readings = [...(exact ? [exact] : []), ...offering.filter((o) => !exact || o.server !== exact.server || o.name !== exact.name)];
  if (readings.length > 1) {
    return {
      policy: "mandate.mcp_ambiguous_tool",
      message: `tool "${id}" could be ${readings.map((r) => `${r.server}/${r.name}`).join(" or ")}: name the server in resource.properties.server`,
    };
  }
  if (readings.length === 1) return readings[0];
  if (unapproved.length === 1) return unapproved[0]; // decide() gives the tool's status as the reason
  if (unapproved.length > 1) {
    unapproved.sort((a, b) => a.server.localeCompare(b.server));
    return {
      policy: "mandate.mcp_ambiguous_tool",
      message: `no approved server offers tool "${id}"; ${unapproved.map((r) => r.server).join(", ")} list it unapproved`,
    };
  }
  if (id.includes("/")) {
    const ref = toolRefOf(resource); // not in the inventory: decide() says so, as for Mandate's form
    return typeof ref === "string" ? invalid(ref) : ref;
  }
  const ref = toolRef.safeParse({ server: "unknown", name: id });
  if (!ref.success) return invalid(`invalid tool name: ${ref.error.issues[0]?.message ?? "malformed"}`);
  return { policy: "mandate.tool_unknown", message: `no server in the inventory offers a tool named "${id}"` };
}

/**
 * The tool arguments, exactly as given: absent is null (decided as {}, as on the native API, unless a
 * COAZ-MCP request meets a policy that reads them); given in both places, or not as an object, is a
 * 400 — never a guess at which the PEP will run.
 */
export function argumentsOf(ev: AzEvaluation): Record<string, unknown> | null {
  const inResource = ev.resource.properties?.arguments;
  const inContext = ev.context?.arguments;
  if (inResource !== undefined && inContext !== undefined) {
    throw badRequest("give the tool arguments once: resource.properties.arguments or context.arguments, not both");
  }
  const [a, path] = inResource !== undefined ? [inResource, "resource.properties.arguments"] : [inContext, "context.arguments"];
  if (a === undefined) return null;
  if (!isObj(a)) throw badRequest(`${path}: must be an object`);
  return a;
}

/** Whether a policy version reads context.args for an action (then a request must carry them to be decided). */
const readsArgsOf = new WeakMap<LoadedPolicy, Map<string, boolean>>();
function readsArguments(p: LoadedPolicy, action: string): boolean {
  let m = readsArgsOf.get(p);
  if (!m) readsArgsOf.set(p, (m = new Map<string, boolean>()));
  let r = m.get(action);
  if (r === undefined) {
    // A policy whose scope names another action (e.g. the default sampling rule) never reads this one's arguments.
    const u = contextUsage(p.policies.filter((x) => !scopedToOtherAction(x.text, action)).map((x) => x.text));
    r = u.all || u.paths.some((x) => x === "args" || x.startsWith("args."));
    m.set(action, r);
  }
  return r;
}

/** Whether a policy's scope is `action == Action::"<another action>"` (then it cannot apply to `action`). */
export function scopedToOtherAction(text: string, action: string): boolean {
  const body = text.replace(/@\w+\s*\(\s*"(?:[^"\\]|\\.)*"\s*\)/g, "").replace(/\/\/[^\n]*/g, "");
  const head = /\b(?:permit|forbid)\s*\(([^)]*)\)/.exec(body)?.[1] ?? "";
  const m = /\baction\s*==\s*Action::"((?:[^"\\]|\\.)*)"/.exec(head);
  return m !== null && m[1] !== action;
}

/** A COAZ-MCP tools/call without arguments, under a policy that reads them: it cannot be decided. */
export function argumentsMissing(ev: AzEvaluation, active: LoadedPolicy): boolean {
  return argumentsMissingFor(ev, active, "tools/call");
}

/** A COAZ-MCP request of `action` without its parameters, under a policy that reads them. */
export function argumentsMissingFor(ev: AzEvaluation, active: LoadedPolicy, action: string): boolean {
  if (ev.subject.type !== COAZ_IDENTITY_TYPE) return false;
  return ev.resource.properties?.arguments === undefined && ev.context?.arguments === undefined && readsArguments(active, action);
}

/**
 * The session's initiator: a COAZ-MCP subject of type "identity" as given (not required to be a Mandate
 * user, not verified), a subject of type "user" when it is an email (Mandate's form), or
 * context.session.initiator. Two different ones are refused.
 */
function initiatorOf(ev: AzEvaluation): string | null {
  const s = ev.context?.session;
  const asserted = isObj(s) && typeof s.initiator === "string" ? s.initiator : null;
  if (ev.subject.type === COAZ_IDENTITY_TYPE) {
    if (ev.subject.id.length > MAX_INITIATOR) throw badRequest(`subject.id: an identity is at most ${MAX_INITIATOR} characters`);
    if (asserted !== null && asserted !== ev.subject.id)
      throw badRequest("context.session.initiator differs from subject.id (the identity): give the initiator once");
    return ev.subject.id;
  }
  const initiator = asserted ?? (!MCP_AGENT_TYPES.has(ev.subject.type) ? ev.subject.id : null);
  return initiator && EMAIL_RE.test(initiator) ? initiator : null;
}

/** The session named in context (absent: null), with the initiator. */
export function sessionOf(ev: AzEvaluation): { id: string | null; initiator?: string } {
  const s = ev.context?.session;
  const id = isObj(s) && typeof s.id === "string" ? s.id : typeof ev.context?.session_id === "string" ? ev.context.session_id : null;
  const initiator = initiatorOf(ev);
  return { id: id ? id.slice(0, 200) : null, ...(initiator ? { initiator } : {}) };
}

export function denied(caller: Caller, ev: AzEvaluation, reason: Reason, extra: { tool?: string; agent_id?: string } = {}): ItemOutcome {
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
  if (isCoazItemRequest(action, ev.resource.type)) return evaluateCoazItem(rt, ev, caller);
  if ((action !== "tools/call" && action !== "tools/list") || !MCP_TOOL_TYPES.has(ev.resource.type)) {
    return denied(caller, ev, unsupportedAction(action, ev.resource.type));
  }
  const session = sessionOf(ev);
  const given = argumentsOf(ev);
  const ref = await resolveToolRef(rt, ev.resource);
  if (!("server" in ref)) return denied(caller, ev, ref);
  const key = `${ref.server}/${ref.name}`;
  const agent = await resolveAgent(rt, ev, caller);
  if (!("agentId" in agent)) return denied(caller, ev, agent, { tool: key });
  const token = typeof ev.context?.delegation_token === "string" ? ev.context.delegation_token : undefined;
  if (action === "tools/list") {
    const v = await visibleTools(rt, agent, {
      session: session.id ? { id: session.id, initiator: session.initiator } : undefined,
      tools: [ref],
      delegation_token: token,
    });
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
  if (given === null && ev.subject.type === COAZ_IDENTITY_TYPE) {
    // The binding's default tools/call mapping carries no arguments: deciding on {} what will run with
    // other arguments would skip every policy that reads them.
    const { active } = await rt.policies.get("mcp");
    if (active && argumentsMissing(ev, active)) {
      return denied(
        caller,
        ev,
        {
          policy: "mandate.mcp_arguments_required",
          message: `the active policy reads context.args: give the call's arguments in resource.properties.arguments`,
        },
        { tool: key, agent_id: agent.agentId },
      );
    }
  }
  const req: DecisionRequest = {
    session: { id: session.id ?? `authzen:${randomUUID()}`, ...(session.initiator ? { initiator: session.initiator } : {}) },
    tool: ref,
    arguments: given ?? {},
    ...(token ? { delegation_token: token } : {}),
    request_id: caller.requestId,
  };
  return decisionAnswer(await decide(rt, agent, req, caller.span));
}

/** The AuthZEN answer for a decision of Mandate's own (tools, and the COAZ-MCP items of mcp-items.ts). */
export function decisionAnswer(r: DecisionResponse): ItemOutcome {
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
        ...(r.retry_after ? { retry_after: r.retry_after } : {}),
      },
    },
    audit: null,
  };
}
