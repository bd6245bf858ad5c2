/**
 * The MCP methods the decision endpoint decides, as plain lists (no zod): browser code reads them too (the
 * audit explorer's Method filter), and the console's Content-Security-Policy refuses the `new Function`
 * probe that building zod schemas makes. Each names its target: a tool, a resource, a prompt, or (for the
 * methods about a whole server) the server. completion/complete names the prompt or the resource
 * (template) its `ref` names. sampling/createMessage, elicitation/create and roots/list are requests a
 * server sends to the client: decided with that server as the target. lib/api/schemas.ts makes the enum.
 */
export const SERVER_ACTIONS = [
  "initialize",
  "logging/setLevel",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
  "sampling/createMessage",
  "elicitation/create",
  "roots/list",
] as const;

export const MCP_ACTIONS = [
  "tools/call",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/get",
  "completion/complete",
  ...SERVER_ACTIONS,
] as const;
