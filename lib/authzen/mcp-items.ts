/**
 * COAZ-MCP default mappings for the methods Mandate's inventory now decides (issue 15 §1 and §4):
 *   resources/read|subscribe|unsubscribe  resource {type: "resource", id: $params.uri}
 *   prompts/get                           resource {type: "prompt", id: $params.name}
 *   completion/complete                   resource {type: "prompt" | "resource", id: name | uri}
 *   logging/setLevel                      resource {type: "mcp_server", id: $token.aud}
 *   tasks/get|result|cancel               resource {type: "task", id: $params.taskId}
 * Each runs decide() — a step of the session, audited like a tool call — on the item (or the server).
 * The server of an item is resource.properties.server, else the only server whose approved, unblocked
 * item it is; several → false (mandate.mcp_ambiguous_resource / _prompt); a task names no server, so
 * properties.server is required (mandate.mcp_task_server_required).
 */
import { randomUUID } from "node:crypto";
import type { DecisionRequest, McpAction } from "../api/schemas.ts";
import { decide } from "../decisions/decide.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { uriRefusal } from "../inventory/uri-template.ts";
import type { Reason } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Caller, ItemOutcome } from "./audit.ts";
import { argumentsMissingFor, argumentsOf, decisionAnswer, denied, resolveAgent, sessionOf } from "./mcp.ts";
import { badRequest, type AzEvaluation } from "./request.ts";

type Kind = "resource" | "prompt" | "task" | "server";

/** The COAZ-MCP actions decided here, with the resource types each takes. */
const ACTIONS: Record<string, Kind[]> = {
  "resources/read": ["resource"],
  "resources/subscribe": ["resource"],
  "resources/unsubscribe": ["resource"],
  "prompts/get": ["prompt"],
  "completion/complete": ["prompt", "resource"],
  "logging/setLevel": ["server"],
  "tasks/get": ["task"],
  "tasks/result": ["task"],
  "tasks/cancel": ["task"],
};
const TYPE_KIND: Record<string, Kind> = { resource: "resource", prompt: "prompt", task: "task", mcp_server: "server" };

/** Whether this COAZ-MCP action on this resource type is decided here. */
export function isCoazItemRequest(action: string, resourceType: string): boolean {
  const kind = TYPE_KIND[resourceType];
  return kind !== undefined && (ACTIONS[action] ?? []).includes(kind);
}

/** The one server whose item this is: approved first; else the one that lists it unapproved (decide() says why). */
async function serverOf(rt: Runtime, kind: "resource" | "prompt", id: string, completion: boolean): Promise<string | Reason> {
  const servers = [...new Set((await rt.tools.items()).map((t) => t.server))].sort();
  const found: ToolInfo[] = [];
  for (const server of servers) {
    if (kind === "prompt") {
      const p = await rt.tools.getItem("prompt", server, id);
      if (p) found.push(p);
    } else {
      const exact = completion ? await rt.tools.getItem("resource", server, id) : undefined;
      const m = exact ? { item: exact } : uriRefusal(id) ? { item: undefined } : await rt.tools.resolveResource(server, id);
      if (m.item) found.push(m.item);
    }
  }
  const approved = found.filter((t) => t.status === "approved" && !t.blocked);
  const pick = approved.length ? approved : found;
  if (pick.length === 1) return pick[0].server;
  if (pick.length > 1) {
    return {
      policy: `mandate.mcp_ambiguous_${kind}`,
      message: `${kind} "${id}" could be on ${pick.map((t) => t.server).join(" or ")}: name the server in resource.properties.server`,
    };
  }
  return { policy: `mandate.${kind}_unknown`, message: `no server in the inventory offers a ${kind} "${id}"` };
}

export async function evaluateCoazItem(rt: Runtime, ev: AzEvaluation, caller: Caller): Promise<ItemOutcome> {
  const action = ev.action.name as McpAction;
  const kind = TYPE_KIND[ev.resource.type];
  const id = ev.resource.id;
  const session = sessionOf(ev);
  const given = argumentsOf(ev);
  const agent = await resolveAgent(rt, ev, caller);
  if (!("agentId" in agent)) return denied(caller, ev, agent);
  const explicit = typeof ev.resource.properties?.server === "string" ? ev.resource.properties.server : null;
  let target: Pick<DecisionRequest, "resource" | "prompt" | "server">;
  let args: Record<string, unknown> = given ?? {};
  if (kind === "server") {
    if (!(await rt.tools.getServer(id))) return denied(caller, ev, { policy: "mandate.mcp_unknown_server", message: `server ${id} is not in the inventory` });
    target = { server: { name: id } };
  } else if (kind === "task") {
    if (!explicit) {
      return denied(caller, ev, {
        policy: "mandate.mcp_task_server_required",
        message: `task "${id}": a task id names no server; give it in resource.properties.server`,
      });
    }
    target = { server: { name: explicit } };
    args = { taskId: id, ...args };
  } else {
    const server = explicit ?? (await serverOf(rt, kind, id, action === "completion/complete"));
    if (typeof server !== "string") return denied(caller, ev, server, { agent_id: agent.agentId });
    target = kind === "prompt" ? { prompt: { server, name: id } } : { resource: { server, uri: id } };
    if (action !== "completion/complete" && kind === "resource" && given !== null && Object.keys(given).length > 0)
      throw badRequest(`${action} takes no arguments (the URI is resource.id)`);
  }
  if (given === null && kind !== "resource" && kind !== "task") {
    // As for tools/call: deciding on {} what will run with other parameters would skip the policies that read them.
    const { active } = await rt.policies.get("mcp");
    if (active && argumentsMissingFor(ev, active, action)) {
      return denied(
        caller,
        ev,
        { policy: "mandate.mcp_arguments_required", message: `the active policy reads context.args for ${action}: give them in resource.properties.arguments` },
        { agent_id: agent.agentId },
      );
    }
  }
  const token = typeof ev.context?.delegation_token === "string" ? ev.context.delegation_token : undefined;
  const req: DecisionRequest = {
    session: { id: session.id ?? `authzen:${randomUUID()}`, ...(session.initiator ? { initiator: session.initiator } : {}) },
    action,
    ...target,
    arguments: args,
    ...(token ? { delegation_token: token } : {}),
    request_id: caller.requestId,
  };
  return decisionAnswer(await decide(rt, agent, req, caller.span));
}
