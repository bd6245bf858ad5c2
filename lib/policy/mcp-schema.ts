/**
 * The Cedar schema of the MCP tool-governance store, generated from Mandate's model:
 * principal Agent (in Team), resource Tool, Resource or Prompt (in Server) with its approved
 * classification, and a context
 * with the call's arguments, the session state, the delegation chain, the approval and the time.
 *
 * Cedar records are closed, so `context.args` declares every argument name that any known tool accepts,
 * each optional, typed from the tools' JSON input schemas (string → String, integer → Long,
 * boolean → Bool, array of strings → Set<String>). A name whose type differs between tools, or whose
 * type has no safe Cedar equivalent (objects, non-integer numbers), is left out of the schema: policies
 * cannot reference it (validation says so), though the value still reaches evaluation.
 */
import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";

type CedarType = cedar.Type<string>;
type Attr = CedarType & { required?: boolean };

const str: CedarType = { type: "String" };
const long: CedarType = { type: "Long" };
const bool: CedarType = { type: "Boolean" };
const strSet: CedarType = { type: "Set", element: str };

function rec(attributes: Record<string, Attr>): CedarType {
  return { type: "Record", attributes };
}
const opt = (t: CedarType): Attr => ({ ...t, required: false });

function cedarTypeOfJsonSchema(s: unknown): CedarType | null {
  if (!s || typeof s !== "object") return null;
  const t = (s as { type?: unknown }).type;
  if (t === "string") return str;
  if (t === "integer") return long;
  if (t === "boolean") return bool;
  if (t === "array") {
    const items = (s as { items?: { type?: unknown } }).items;
    return items && items.type === "string" ? strSet : null;
  }
  return null;
}

export interface SchemaTool {
  inputSchema?: unknown;
}

/** The union of argument names over all tools, with a consistent Cedar type. */
export function argumentAttributes(tools: SchemaTool[]): Record<string, Attr> {
  const types = new Map<string, string | null>();
  const defs = new Map<string, CedarType>();
  for (const tool of tools) {
    const props = (tool.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
    if (!props || typeof props !== "object") continue;
    for (const [name, propSchema] of Object.entries(props)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue; // not addressable as context.args.<name>
      const t = cedarTypeOfJsonSchema(propSchema);
      const key = t ? JSON.stringify(t) : null;
      if (!types.has(name)) {
        types.set(name, key);
        if (t) defs.set(name, t);
      } else if (types.get(name) !== key) {
        types.set(name, null);
      }
    }
  }
  const out: Record<string, Attr> = {};
  for (const [name, key] of [...types.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (key !== null) out[name] = opt(defs.get(name)!);
  }
  return out;
}

export function mcpContextType(tools: SchemaTool[]): CedarType {
  return rec({
    args: rec(argumentAttributes(tools)),
    session: rec({
      id: str,
      initiator: opt(str),
      initiatorVerified: bool,
      steps: long,
      toolsUsed: strSet,
      labels: strSet,
      observedLabels: strSet,
      ageSeconds: long,
    }),
    delegation: rec({
      present: bool,
      depth: long,
      chain: { type: "Set", element: str },
      onBehalfOf: opt(str),
      scopes: strSet,
      // Calls left under the delegation's call budget (the least over its lineage); absent without one.
      remainingCalls: opt(long),
    }),
    approval: rec({ granted: bool }),
    time: rec({ epochSeconds: long, hourUtc: long, dayOfWeek: long }),
    // Allowed calls before this one (lib/counters; docs/policies.md "Counters"). Zero on list actions.
    counters: rec({
      session: rec({ toolCalls: long, identicalCalls: long, consecutiveFailures: long }),
      agent: rec({ minute: long, hour: long, toolMinute: long }),
    }),
  });
}

/** The attributes of every inventory item's entity (Tool, Resource, Prompt): the same, so one policy can read any. */
const ITEM_SHAPE = rec({
  server: str,
  name: str,
  status: str,
  effect: str,
  risk: str,
  riskLevel: long,
  labels: strSet,
  openWorld: bool,
});

type ResourceType = "Tool" | "Resource" | "Prompt" | "Server";

/** Which MCP methods are Cedar actions, and on which entity types (DESIGN.md, "Decision semantics"). */
export const MCP_ACTIONS: Record<string, ResourceType | ResourceType[]> = {
  "tools/call": "Tool",
  "tools/list": "Tool",
  "resources/read": "Resource",
  "resources/subscribe": "Resource",
  "resources/unsubscribe": "Resource",
  "resources/list": "Resource",
  "prompts/get": "Prompt",
  "prompts/list": "Prompt",
  // The prompt or the resource template its `ref` names.
  "completion/complete": ["Prompt", "Resource"],
  // Methods about a whole server; the last three are requests the server sends to the client.
  initialize: "Server",
  "logging/setLevel": "Server",
  "tasks/get": "Server",
  "tasks/result": "Server",
  "tasks/list": "Server",
  "tasks/cancel": "Server",
  "sampling/createMessage": "Server",
  "elicitation/create": "Server",
  "roots/list": "Server",
};

/**
 * The parameters of the non-tool methods, as they appear in context.args (docs/gateway.md, "Every
 * method decided"), typed like tool arguments: a tool argument of the same name and another type makes
 * the name unusable in policies, exactly as two tools disagreeing would.
 */
export const METHOD_ARGUMENTS: SchemaTool[] = [
  { inputSchema: { properties: { uri: { type: "string" } } } },
  { inputSchema: { properties: { argument: { type: "string" }, value: { type: "string" } } } },
  { inputSchema: { properties: { level: { type: "string" }, taskId: { type: "string" } } } },
  { inputSchema: { properties: { includeContext: { type: "string" }, maxTokens: { type: "integer" }, mode: { type: "string" }, url: { type: "string" } } } },
];

export function generateMcpSchema(tools: SchemaTool[]): cedar.SchemaJson<string> {
  const context = mcpContextType([...tools, ...METHOD_ARGUMENTS]);
  const actions: Record<string, { appliesTo: { principalTypes: string[]; resourceTypes: string[]; context: CedarType } }> = {};
  for (const [action, type] of Object.entries(MCP_ACTIONS))
    actions[action] = { appliesTo: { principalTypes: ["Agent"], resourceTypes: Array.isArray(type) ? type : [type], context } };
  return {
    "": {
      entityTypes: {
        Team: {},
        // A server, summarised from its approved items (lib/inventory/tool-cache.ts, serverInfo): the
        // same attributes as an item, so that one policy can read any resource.
        Server: { shape: ITEM_SHAPE },
        Agent: {
          memberOfTypes: ["Team"],
          shape: rec({ name: str, team: str, owner: str, environment: str }),
        },
        // A tool; a resource (name: its URI, or the URI template of a family); a prompt.
        Tool: { memberOfTypes: ["Server"], shape: ITEM_SHAPE },
        Resource: { memberOfTypes: ["Server"], shape: ITEM_SHAPE },
        Prompt: { memberOfTypes: ["Server"], shape: ITEM_SHAPE },
      },
      actions,
    },
  };
}

export const RISK_LEVEL: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };
