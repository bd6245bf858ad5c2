/**
 * Shared plumbing of the demo MCP servers: a low-level MCP Server over stdio whose tools/list answers
 * exactly the definitions in definitions.ts (so the seed and the live server agree byte for byte) and
 * whose tools/call dispatches to plain async handlers. A handler throws ToolError for a failure the
 * agent should see (returned as an isError result); anything else is reported the same way, briefly.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type GetPromptResult,
  type ReadResourceResult,
} from "@modelcontextprotocol/sdk/types.js";
import { demoServer } from "./definitions.ts";

export type ToolArgs = Record<string, unknown>;
export type ToolHandler = (args: ToolArgs) => Promise<string>;

export class ToolError extends Error {}

/** Resources and prompts of a server that defines them in definitions.ts. */
export interface DemoExtras {
  /** The content of a resource URI of one of the server's families; throw ToolError when there is none. */
  readResource?(uri: string): Promise<{ text: string; mimeType: string }>;
  getPrompt?(name: string, args: Record<string, string>): Promise<GetPromptResult>;
}

export async function serveDemo(serverName: string, handlers: Record<string, ToolHandler>, extras: DemoExtras = {}): Promise<void> {
  const { tools, resourceTemplates = [], prompts = [] } = demoServer(serverName);
  const names = tools.map((t) => t.definition.name).sort();
  const handled = Object.keys(handlers).sort();
  if (names.join(",") !== handled.join(",")) {
    throw new Error(`demo server ${serverName}: handlers [${handled.join(",")}] do not match definitions [${names.join(",")}]`);
  }
  const capabilities = { tools: {}, ...(resourceTemplates.length ? { resources: {} } : {}), ...(prompts.length ? { prompts: {} } : {}) };
  const server = new Server({ name: `mandate-demo-${serverName}`, version: "1.0.0" }, { capabilities });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools.map((t) => t.definition) }));
  if (resourceTemplates.length) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [] }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: resourceTemplates.map((t) => t.definition) }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request): Promise<ReadResourceResult> => {
      const uri = request.params.uri;
      try {
        const { text, mimeType } = await extras.readResource!(uri);
        return { contents: [{ uri, mimeType, text }] };
      } catch (err) {
        throw new McpError(-32002, err instanceof ToolError ? err.message : `Resource not found: ${uri}`);
      }
    });
  }
  if (prompts.length) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: prompts.map((p) => p.definition) }));
    server.setRequestHandler(GetPromptRequestSchema, async (request) => {
      const prompt = prompts.find((p) => p.definition.name === request.params.name);
      if (!prompt) throw new McpError(-32602, `Unknown prompt: ${request.params.name}`);
      const args = request.params.arguments ?? {};
      const missing = prompt.definition.arguments.filter((a) => a.required && !args[a.name]).map((a) => a.name);
      if (missing.length) throw new McpError(-32602, `Missing required argument(s): ${missing.join(", ")}`);
      return extras.getPrompt!(request.params.name, args);
    });
  }
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const handler = Object.hasOwn(handlers, request.params.name) ? handlers[request.params.name] : undefined;
    const tool = tools.find((t) => t.definition.name === request.params.name);
    if (!handler || !tool) return errorResult(`Unknown tool: ${request.params.name}`);
    try {
      const args = request.params.arguments ?? {};
      if (tool.definition.inputSchema.additionalProperties === false) {
        rejectUnknownArgs(args, Object.keys(tool.definition.inputSchema.properties));
      }
      const text = await handler(args);
      return { content: [{ type: "text", text }] };
    } catch (err) {
      if (err instanceof ToolError) return errorResult(err.message);
      const message = err instanceof Error ? err.message : String(err);
      return errorResult(`Internal error: ${message}`);
    }
  });
  await server.connect(new StdioServerTransport());
  process.stderr.write(`mandate-demo-${serverName}: serving ${names.length} tools on stdio\n`);
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

// ----- argument readers (the JSON schemas in definitions.ts are advisory to clients; re-check here) -----

export function stringArg(args: ToolArgs, name: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) {
    if (opts.required) throw new ToolError(`Missing required argument "${name}"`);
    return undefined;
  }
  if (typeof value !== "string") throw new ToolError(`Argument "${name}" must be a string`);
  if (opts.max !== undefined && value.length > opts.max) throw new ToolError(`Argument "${name}" is longer than ${opts.max} characters`);
  return value;
}

export function requiredString(args: ToolArgs, name: string, max?: number): string {
  return stringArg(args, name, { required: true, max }) as string;
}

export function intArg(args: ToolArgs, name: string, min: number, max: number, fallback: number): number {
  const value = args[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ToolError(`Argument "${name}" must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function stringArrayArg(args: ToolArgs, name: string, opts: { required?: boolean; maxItems: number }): string[] {
  const value = args[name];
  if (value === undefined || value === null) {
    if (opts.required) throw new ToolError(`Missing required argument "${name}"`);
    return [];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new ToolError(`Argument "${name}" must be an array of strings`);
  }
  if (value.length > opts.maxItems) throw new ToolError(`Argument "${name}" has more than ${opts.maxItems} items`);
  return value;
}

function rejectUnknownArgs(args: ToolArgs, allowed: string[]): void {
  const unknown = Object.keys(args).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ToolError(`Unknown argument(s): ${unknown.join(", ")}`);
}
