/**
 * The gateway's spans (traces on: lib/telemetry/tracing.ts), after OpenTelemetry's semantic conventions
 * for MCP and GenAI tool calls (semantic-conventions-genai, MCP: Development status):
 *   - each client request is a SERVER span `{method} {target}` (`tools/call echo`), whose parent is the
 *     W3C Trace Context the client put in the request's `params._meta` (`traceparent`, `tracestate`);
 *     a tools/call carries `gen_ai.operation.name` = `execute_tool` and `gen_ai.tool.name`, and Mandate's
 *     answer (`mandate.decision`, `mandate.decision_id`, `mandate.policy_ids`, `mandate.session_id`);
 *   - its requests to Mandate are HTTP CLIENT spans propagated with the `traceparent` header
 *     (gateway/mandate-client.ts);
 *   - the forwarded call is a CLIENT span `tools/call {tool}` whose context replaces the client's in the
 *     forwarded `_meta` (the upstream server's span is its child), and the outcome spooled for Mandate is
 *     the `mandate.outcome` span (gateway/governance.ts).
 * MCP has no tool call id, so `gen_ai.tool.call.id` is not set; `jsonrpc.request.id` names the request.
 */
import { ErrorCode, McpError, type JSONRPCRequest, type Result } from "@modelcontextprotocol/sdk/types.js";
import type { DecisionResponse } from "../lib/api/schemas.ts";
import { activeSpan, endWithError, setSpanError, SPAN_KIND, startSpan, withSpan, type Span } from "../lib/telemetry/tracing.ts";

type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

/** What the MCP conventions name as a request's target: a tool, a prompt, or a resource (attribute only). */
function targetAttributes(method: string, p: Params): Record<string, string> {
  if (method === "tools/call" && typeof p.name === "string") return { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": p.name };
  if (method === "prompts/get" && typeof p.name === "string") return { "gen_ai.prompt.name": p.name };
  if (method.startsWith("resources/") && typeof p.uri === "string") return { "mcp.resource.uri": p.uri };
  return {};
}

/** Runs a client request under its SERVER span. */
export async function tracedRequest(req: JSONRPCRequest, multi: boolean, run: () => Promise<Result>): Promise<Result> {
  const p = (req.params ?? {}) as Params;
  const target = targetAttributes(req.method, p);
  const name = target["gen_ai.tool.name"] ?? target["gen_ai.prompt.name"];
  const meta = p._meta && typeof p._meta === "object" ? p._meta : undefined;
  const span = startSpan(
    name ? `${req.method} ${name}` : req.method,
    SPAN_KIND.server,
    { "mcp.method.name": req.method, "jsonrpc.request.id": String(req.id), "network.transport": multi ? "tcp" : "pipe", ...target },
    null,
    meta ?? {},
  );
  try {
    const result = await withSpan(span, run);
    if (req.method === "tools/call" && result.isError === true) setSpanError(span, "tool_error");
    span?.end();
    return result;
  } catch (e) {
    endWithError(span, e, e instanceof McpError ? String(e.code) : undefined);
    throw e;
  }
}

/** Mandate's answer on the request's span. */
export function traceDecision(d: DecisionResponse): void {
  const span = activeSpan();
  if (!span?.isRecording()) return;
  span.setAttributes({
    "mandate.decision": d.decision,
    "mandate.decision_id": d.decision_id,
    "mandate.policy_ids": d.reasons.map((r) => r.policy),
    "mandate.policy_version": d.policy_version,
    "mandate.session_id": d.session.id,
  });
}

/** The forwarded tools/call (CLIENT span under the request's span). */
export function upstreamSpan(server: string, tool: string, decisionId: string): Span | undefined {
  return startSpan(`tools/call ${tool}`, SPAN_KIND.client, {
    "mcp.method.name": "tools/call",
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": tool,
    "mandate.server": server,
    "mandate.decision_id": decisionId,
  });
}

/** Ends the forwarded call's span: `tool_error` for a result with isError, the JSON-RPC code for an error. */
export function endUpstreamSpan(span: Span | undefined, result: Result | undefined, err?: unknown): void {
  if (!span) return;
  if (err !== undefined) return endWithError(span, err, err instanceof McpError ? String(err.code) : String(ErrorCode.InternalError));
  if (result?.isError === true) setSpanError(span, "tool_error");
  span.end();
}

/** The outcome event spooled for Mandate (reported in a later batch). */
export function outcomeSpan(decisionId: string, status: string): Span | undefined {
  return startSpan("mandate.outcome", SPAN_KIND.internal, { "mandate.decision_id": decisionId, "mandate.outcome": status });
}
