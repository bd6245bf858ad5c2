/**
 * The MCP methods the gateway relays (fail closed, docs/gateway.md "Methods"): a request or notification
 * whose method is not listed here is refused, in either direction, instead of being passed through
 * unexamined. The lists are the MCP specification's (2025-11-25) as the SDK knows them;
 * `methods.test.ts` fails when an SDK upgrade adds a method, so that relaying it is a decision, not a
 * side effect.
 */
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";

/**
 * Requests a client may send. All but ping are decided by Mandate (session.ts): the list methods are
 * filtered, initialize is decided per server before it is started, the others before they are sent.
 */
export const CLIENT_REQUESTS: ReadonlySet<string> = new Set([
  "ping",
  "initialize",
  "completion/complete",
  "logging/setLevel",
  "prompts/get",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "tools/call",
  "tools/list",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
]);

/** Requests a server may send to the client (sampling/createMessage, elicitation/create and roots/list are decided; ping and tasks/* are relayed). */
export const SERVER_REQUESTS: ReadonlySet<string> = new Set([
  "ping",
  "sampling/createMessage",
  "elicitation/create",
  "roots/list",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
]);

export const CLIENT_NOTIFICATIONS: ReadonlySet<string> = new Set([
  "notifications/cancelled",
  "notifications/progress",
  "notifications/initialized",
  "notifications/roots/list_changed",
  "notifications/tasks/status",
]);

export const SERVER_NOTIFICATIONS: ReadonlySet<string> = new Set([
  "notifications/cancelled",
  "notifications/progress",
  "notifications/message",
  "notifications/resources/updated",
  "notifications/resources/list_changed",
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/tasks/status",
  "notifications/elicitation/complete",
]);

/** Throws JSON-RPC "method not found" for a request the gateway does not relay. */
export function refuseUnknownRequest(method: string, known: ReadonlySet<string>, from: "client" | "server"): void {
  if (known.has(method)) return;
  throw new McpError(
    ErrorCode.MethodNotFound,
    `Method not found: ${method} (mandate-gateway relays only the MCP methods it knows; this ${from} request was not passed on)`,
  );
}
