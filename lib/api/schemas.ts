/**
 * The data-plane contract: zod schemas for every request and response body of the native API.
 * Route handlers, the OpenAPI document (/api/openapi.json), the gateway and the tests all use these.
 * This module imports nothing but zod, so the gateway and SDK can depend on it without the server.
 */
import { z } from "zod";
import { MCP_ACTIONS, SERVER_ACTIONS } from "./mcp-actions.ts";

/** Identifiers: printable, bounded. */
const ident = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
  .refine((s) => s.isWellFormed(), "must be well-formed Unicode");

export const toolRef = z
  .object({
    server: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only"),
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_./-]+$/, "letters, digits, _ . / - only"),
  })
  .strict();
export type ToolRef = z.infer<typeof toolRef>;

export const sessionRef = z
  .object({
    id: ident.describe("Session id chosen by the caller or the gateway"),
    initiator: z.string().email().max(320).optional().describe("Asserted initiating user (unverified without a delegation token)"),
  })
  .strict();

/** A resource: its server and its exact URI (not normalised: see docs/gateway.md, "Resources"). */
export const resourceRef = z
  .object({
    server: toolRef.shape.server,
    uri: z
      .string()
      .min(1)
      .max(2048)
      .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
      .refine((s) => s.isWellFormed(), "must be well-formed Unicode"),
  })
  .strict();
export type ResourceRef = z.infer<typeof resourceRef>;

/** A prompt: its server and its name. */
export const promptRef = z.object({ server: toolRef.shape.server, name: ident }).strict();
export type PromptRef = z.infer<typeof promptRef>;

/** The MCP methods the decision endpoint decides (lib/api/mcp-actions.ts, where they are listed). */
export const mcpAction = z.enum(MCP_ACTIONS);
export type McpAction = z.infer<typeof mcpAction>;
export type ServerAction = (typeof SERVER_ACTIONS)[number];
export const isServerAction = (a: string): a is ServerAction => (SERVER_ACTIONS as readonly string[]).includes(a);

/** A server (the target of a server-level method): its name in the inventory. */
export const serverRef = z.object({ name: toolRef.shape.server }).strict();

/** Arguments of a tool call: any JSON object. */
export const toolArguments = z.record(z.string(), z.unknown());

// ---------------------------------------------------------------------------------------------
// POST /api/v1/decisions
// ---------------------------------------------------------------------------------------------
/** The decision request's fields; its target is checked by `decisionTargetIssues`. */
const decisionRequestFields = z
  .object({
    session: sessionRef,
    action: mcpAction.optional().describe("The MCP method decided (default tools/call)"),
    tool: toolRef.optional().describe("The tool of tools/call"),
    resource: resourceRef.optional().describe("The resource of resources/read, resources/subscribe and resources/unsubscribe"),
    prompt: promptRef.optional().describe("The prompt of prompts/get (its arguments in `arguments`) or of completion/complete"),
    server: serverRef
      .optional()
      .describe(`The server of ${SERVER_ACTIONS.join(", ")} (their parameters in \`arguments\`: docs/gateway.md, "Every method decided")`),
    arguments: toolArguments.default({}),
    delegation_token: z.string().min(10).max(8192).optional(),
    request_id: z.string().max(200).optional(),
  })
  .strict();

/** What is wrong with a parsed decision request's target (the member its action needs, no other), in order; empty if nothing. */
export function decisionTargetIssues(r: z.infer<typeof decisionRequestFields>): Array<{ path: [string]; message: string }> {
  const out: Array<{ path: [string]; message: string }> = [];
  const action = r.action ?? "tools/call";
  const want =
    action === "tools/call"
      ? "tool"
      : action === "prompts/get"
        ? "prompt"
        : isServerAction(action)
          ? "server"
          : action === "completion/complete"
            ? r.prompt !== undefined
              ? "prompt"
              : "resource"
            : "resource";
  for (const k of TARGET_MEMBERS) {
    if (k === want && r[k] === undefined) out.push({ path: [k], message: `${action} needs ${k}` });
    if (k !== want && r[k] !== undefined) out.push({ path: [k], message: `${action} takes ${want}, not ${k}` });
  }
  if (want === "resource" && action !== "completion/complete" && Object.keys(r.arguments).length > 0)
    out.push({ path: ["arguments"], message: `${action} takes no arguments (the URI is in resource.uri)` });
  return out;
}
const TARGET_MEMBERS = ["tool", "resource", "prompt", "server"] as const;

/** The decision request: its fields and its target check (as a refinement). */
export const decisionRequest = decisionRequestFields.superRefine((r, ctx) => {
  for (const i of decisionTargetIssues(r)) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
});

/**
 * `decisionRequest` as POST /api/v1/decisions parses it: a valid request is parsed without the refinement
 * (~1 µs less per decision: the target check in plain code after the parse); any other body is parsed by
 * `decisionRequest` itself, so every refusal is the same 400 with the same issues (zod runs a refinement
 * after issues that do not abort, such as unknown keys, and adds its own).
 */
export const decisionRequestOnPath: typeof decisionRequest = decisionRequest.clone();
decisionRequestOnPath.safeParse = (data, params) => {
  const fast = decisionRequestFields.safeParse(data, params);
  return fast.success && decisionTargetIssues(fast.data).length === 0 ? fast : decisionRequest.safeParse(data, params);
};
export type DecisionRequest = z.infer<typeof decisionRequest>;

export const reason = z.object({
  policy: z.string().describe("Policy id (its @id annotation) or a built-in check id such as mandate.tool_not_approved"),
  message: z.string(),
});
export type Reason = z.infer<typeof reason>;

export const outcome = z.enum(["allow", "deny", "require_approval"]);

export const approvalHandle = z.object({
  id: z.string(),
  status: z.enum(["pending", "approved", "denied", "expired", "used"]),
  expires_at: z.string(),
  poll_url: z.string(),
});

export const decisionResponse = z.object({
  decision: outcome,
  decision_id: z.string().uuid(),
  reasons: z.array(reason),
  errors: z.array(reason).optional().describe("Policies that failed to evaluate (the request then fails closed)"),
  policy_version: z.string(),
  session: z.object({
    id: z.string(),
    step: z
      .number()
      .int()
      .nullable()
      .describe("The step this decision is in its session; null for a foreign attempt (a session owned by another agent), which is no step"),
  }),
  approval: approvalHandle.optional(),
  receipt: z.string().optional().describe("Short-lived JWT binding this allowed call (see docs/receipts.md)"),
  detectors_off: z
    .array(z.string())
    .optional()
    .describe(
      "On an allow: content detectors an admin turned off for this item or its server; the gateway skips them when it inspects the result (docs/gateway.md)",
    ),
  retry_after: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "On a deny by a policy comparing a windowed counter (the default `loop` and `rate`): seconds until the counter is back below the limit (docs/policies.md)",
    ),
});
export type DecisionResponse = z.infer<typeof decisionResponse>;

// ---------------------------------------------------------------------------------------------
// GET /api/v1/agents/me
// ---------------------------------------------------------------------------------------------
export const agentIdentity = z.object({
  id: z.string().describe("The agent's id"),
  name: z.string().describe("The agent's name"),
  key_id: z.string().describe("Id of the API key that authenticated this request"),
  suspended: z.boolean().describe("An operator suspended the agent: its tool calls are denied"),
});
export type AgentIdentity = z.infer<typeof agentIdentity>;

// ---------------------------------------------------------------------------------------------
// POST /api/v1/tools/visible
// ---------------------------------------------------------------------------------------------
export const visibleToolsRequest = z
  .object({
    session: sessionRef.optional(),
    tools: z.array(toolRef).max(1000).default([]),
    resources: z.array(resourceRef).max(1000).optional().describe("Resources (URIs) and resource templates of a resources list"),
    prompts: z.array(promptRef).max(1000).optional(),
    delegation_token: z.string().min(10).max(8192).optional(),
  })
  .strict()
  .refine((r) => r.tools.length + (r.resources?.length ?? 0) + (r.prompts?.length ?? 0) > 0, "name at least one tool, resource or prompt");
export const visibleToolsResponse = z.object({
  tools: z.array(toolRef),
  resources: z.array(resourceRef).optional(),
  prompts: z.array(promptRef).optional(),
  policy_version: z.string(),
});

// ---------------------------------------------------------------------------------------------
// POST /api/v1/events
// ---------------------------------------------------------------------------------------------
export const outcomeEvent = z
  .object({
    event_id: z.string().min(8).max(200),
    decision_id: z.string().uuid(),
    status: z.enum(["success", "error"]),
    duration_ms: z.number().min(0).max(86_400_000).optional(),
    result_size: z.number().int().min(0).optional(),
    error: z.string().max(4000).optional(),
  })
  .strict();
export type OutcomeEventInput = z.infer<typeof outcomeEvent>;
export const eventsRequest = z.object({ events: z.array(outcomeEvent).min(1).max(1000) }).strict();
export const eventsResponse = z.object({
  accepted: z.number().int().describe("Events newly recorded"),
  duplicates: z.number().int().describe("Events already recorded earlier (idempotent by event_id)"),
});

// ---------------------------------------------------------------------------------------------
// POST /api/v1/observations
// ---------------------------------------------------------------------------------------------
const labelName = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9_]+$/, "lowercase letters, digits, _");
export const observationRequest = z
  .object({
    session: z.object({ id: ident }).strict(),
    decision_id: z.string().uuid().describe("The allowed decision whose result the labels were found in"),
    labels: z.array(labelName).min(1).max(50),
    provenance: z
      .array(
        z
          .object({
            label: labelName,
            source: z.enum(["detector", "meta"]),
            detector: z.string().min(1).max(50).optional(),
            count: z.number().int().min(1).max(1_000_000_000).optional(),
            key: z.string().min(1).max(50).optional(),
          })
          .strict(),
      )
      .max(200)
      .default([]),
    delegation_token: z.string().min(10).max(8192).optional(),
  })
  .strict();
export type ObservationRequest = z.infer<typeof observationRequest>;
export const observationResponse = z.object({
  session: z.object({ id: z.string() }),
  labels: z.array(z.string()).describe("The session's labels now (declared ∪ observed)"),
  observed_labels: z.array(z.string()).describe("The session's observed labels now"),
  added: z.array(z.string()).describe("Labels this observation added (empty: the session had them all)"),
});

// ---------------------------------------------------------------------------------------------
// POST /api/v1/inventory
// ---------------------------------------------------------------------------------------------
export const mcpAnnotations = z
  .object({
    title: z.string().max(500).optional(),
    readOnlyHint: z.boolean().optional(),
    destructiveHint: z.boolean().optional(),
    idempotentHint: z.boolean().optional(),
    openWorldHint: z.boolean().optional(),
  })
  .passthrough();

export const toolDefinition = z
  .object({
    name: toolRef.shape.name,
    title: z.string().max(500).optional(),
    description: z.string().max(20_000).optional(),
    inputSchema: z.record(z.string(), z.unknown()).default({ type: "object" }),
    outputSchema: z.record(z.string(), z.unknown()).optional(),
    annotations: mcpAnnotations.optional(),
    definition_hash: z.string().max(200).optional().describe("Hash the gateway computed; Mandate computes its own"),
  })
  .passthrough();
export type ToolDefinition = z.infer<typeof toolDefinition>;

/** A resource (`uri`) or a family of resources (`uriTemplate`, RFC 6570) as resources/list and resources/templates/list give them. */
export const resourceDefinition = z
  .object({
    uri: resourceRef.shape.uri.optional(),
    uriTemplate: resourceRef.shape.uri.optional(),
    name: z.string().max(500).optional(),
    title: z.string().max(500).optional(),
    description: z.string().max(20_000).optional(),
    mimeType: z.string().max(200).optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough()
  .refine((r) => (r.uri === undefined) !== (r.uriTemplate === undefined), "exactly one of uri and uriTemplate");
export type ResourceDefinition = z.infer<typeof resourceDefinition>;

/** A prompt as prompts/list gives it. */
export const promptDefinition = z
  .object({
    name: promptRef.shape.name,
    title: z.string().max(500).optional(),
    description: z.string().max(20_000).optional(),
    arguments: z
      .array(z.object({ name: z.string().min(1).max(200), description: z.string().max(5000).optional(), required: z.boolean().optional() }).passthrough())
      .max(100)
      .optional(),
  })
  .passthrough();
export type PromptDefinition = z.infer<typeof promptDefinition>;

export const inventoryRequest = z
  .object({
    server: toolRef.shape.server,
    tools: z.array(toolDefinition).max(2000),
    resources: z.array(resourceDefinition).max(2000).optional(),
    prompts: z.array(promptDefinition).max(2000).optional(),
  })
  .strict();
const inventoryItemResult = z.object({
  name: z.string().describe("The tool's or prompt's name; a resource's URI or URI template"),
  status: z.enum(["pending", "approved", "rejected"]),
  change: z.enum(["new", "changed", "unchanged"]),
});
export const inventoryResponse = z.object({
  server: z.string(),
  tools: z.array(inventoryItemResult),
  resources: z.array(inventoryItemResult).optional(),
  prompts: z.array(inventoryItemResult).optional(),
});

// ---------------------------------------------------------------------------------------------
// Operator controls (admin; user API token or console session)
// ---------------------------------------------------------------------------------------------
export const operatorReason = z.object({ reason: z.string().min(1).max(1000) }).strict();

// ---------------------------------------------------------------------------------------------
// Errors: RFC 9457 problem details
// ---------------------------------------------------------------------------------------------
export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  request_id: z.string().optional(),
});
export type Problem = z.infer<typeof problem>;
