/**
 * The decision path's built-in checks that come before policy (decide.ts, stage 4): suspended agent,
 * terminated or foreign session, unknown/unapproved/blocked item, delegation scope and call budget. Also used by the
 * visible-tools filter and AuthZEN's MCP search, which must refuse exactly what a decision would.
 */
import type { Reason } from "../api/schemas.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { SessionState } from "../sessions/session-cache.ts";
import type { DecidedItem, DelegationView } from "./mcp-request.ts";
import { scopesAllow } from "../delegation/scopes.ts";
import { exhaustedBudget } from "../delegation/budget.ts";
import type { ItemKind } from "../inventory/item-key.ts";

/**
 * A foreign attempt: a request in a session that another agent owns, not made under a delegation from
 * that owner (a valid one: an invalid token counts as none). It is always denied (by precheck) and is not
 * a step of the owner's session: recorded in the audit log with the targeted session and the attempting
 * agent but no step number, it changes neither the session's steps, labels, tools nor deny count.
 */
export function isForeignAttempt(agent: AgentPrincipal, session: SessionState, delegation: DelegationView): boolean {
  if (!session.exists || !session.agentId || session.agentId === agent.agentId) return false;
  return !(delegation.present && delegation.chain.some((c) => c.agent_id === session.agentId));
}

/** What precheck needs to know about the target (target.ts). */
export interface PrecheckTarget {
  kind: ItemKind | "server";
  key: string;
  refusal?: Reason | null;
}

/** A tool's target for precheck. */
export const toolTarget = (server: string, name: string): PrecheckTarget => ({ kind: "tool", key: `${server}/${name}` });

/** Built-in checks that come before policy. A non-empty result is a deny. */
export function precheck(
  agent: AgentPrincipal,
  session: SessionState,
  tool: DecidedItem | undefined,
  target: PrecheckTarget,
  delegation: DelegationView,
  delegationError: string | null,
): Reason[] {
  const key = target.key;
  if (agent.suspended) {
    return [{ policy: "mandate.agent_suspended", message: `agent ${agent.name} is suspended${agent.suspended.reason ? `: ${agent.suspended.reason}` : ""}` }];
  }
  if (session.status === "terminated") {
    return [
      {
        policy: "mandate.session_terminated",
        message: `session ${session.id} was terminated${session.terminatedReason ? `: ${session.terminatedReason}` : ""}`,
      },
    ];
  }
  if (delegationError) return [{ policy: "mandate.delegation_invalid", message: delegationError }];
  if (isForeignAttempt(agent, session, delegation)) {
    return [
      { policy: "mandate.session_not_owned", message: `session ${session.id} belongs to another agent; act in it only under a delegation from its owner` },
    ];
  }
  if (target.refusal) return [target.refusal];
  if (target.kind === "server") {
    // A server-level method: the server must be in the inventory; the policy decides the rest (a
    // server with no approved item is "pending", which the default policy lets only initialize).
    if (!tool) return [{ policy: "mandate.server_unknown", message: `server ${key} is not in the inventory` }];
    if (delegation.present && !serverInScopes(delegation.scopes, key)) {
      return [{ policy: "mandate.scope_exceeded", message: `server ${key} is outside the delegated scopes (${delegation.scopes.join(" ") || "none"})` }];
    }
    return [];
  }
  if (tool?.kind === "server") return [{ policy: "mandate.target_mismatch", message: `${key} is a server, not an item` }];
  const k = target.kind; // policy ids: mandate.tool_unknown, mandate.resource_unknown, mandate.prompt_unknown, …
  if (!tool) return [{ policy: `mandate.${k}_unknown`, message: `${k} ${key} is not in the inventory` }];
  if (tool.status === "rejected") return [{ policy: `mandate.${k}_rejected`, message: `${k} ${key} was rejected by an admin` }];
  if (tool.status !== "approved")
    return [{ policy: `mandate.${k}_not_approved`, message: `${k} ${key} is not approved yet (its classification is pending review)` }];
  if (tool.blocked) return [{ policy: `mandate.${k}_blocked`, message: `${k} ${key} is blocked${tool.blocked.reason ? `: ${tool.blocked.reason}` : ""}` }];
  if (
    delegation.present &&
    !(k === "tool" ? scopeAllows(delegation.scopes, tool.server, tool.name) : scopesAllow(delegation.scopes, k, tool.server, tool.name))
  ) {
    return [{ policy: "mandate.scope_exceeded", message: `${k} ${key} is outside the delegated scopes (${delegation.scopes.join(" ") || "none"})` }];
  }
  const spent = delegation.present ? exhaustedBudget(delegation.budgets, session.counters) : null;
  if (spent) {
    const which = spent.id === delegation.tokenId ? "the delegation's call budget" : `the call budget of delegation ${spent.id}, which this one came from,`;
    return [{ policy: "mandate.delegation_budget", message: `${which} (${spent.maxCalls} calls) is spent` }];
  }
  return [];
}

/** A server-level method under a delegation: some delegated scope (of any kind) names the server, or `*`. */
export function serverInScopes(scopes: string[], server: string): boolean {
  return scopes.some((s) => {
    const m = /^[a-z]+:([^/]+)\//.exec(s);
    return m !== null && (m[1] === "*" || m[1] === server);
  });
}

/** `tool:<server>/<name>` with `*` for the server or the name. */
export function scopeAllows(scopes: string[], server: string, name: string): boolean {
  return scopes.some((s) => {
    const m = /^tool:([^/]+)\/(.+)$/.exec(s);
    if (!m) return false;
    return (m[1] === "*" || m[1] === server) && (m[2] === "*" || m[2] === name);
  });
}
