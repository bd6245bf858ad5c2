/**
 * Tool results the gateway produces itself: refusals a model and a human can read, with the same facts
 * in machine-readable form under `_meta["mandate/error"]`.
 */
import type { DecisionResponse, Problem } from "../lib/api/schemas.ts";

export type GatewayErrorCode =
  | "denied"
  | "approval_pending"
  | "approval_denied"
  | "approval_expired"
  | "invalid_arguments"
  | "mandate_unavailable"
  | "upstream_unavailable"
  | "result_withheld"
  | "request_withheld"
  | "unknown_tool";

export interface ToolErrorResult {
  [key: string]: unknown;
  content: Array<{ type: "text"; text: string }>;
  isError: true;
  _meta: { "mandate/error": Record<string, unknown> & { code: GatewayErrorCode } };
}

export function toolError(code: GatewayErrorCode, text: string, details: Record<string, unknown> = {}): ToolErrorResult {
  return { content: [{ type: "text", text }], isError: true, _meta: { "mandate/error": { code, ...details } } };
}

function reasonLines(d: DecisionResponse): string {
  const all = [...d.reasons, ...(d.errors ?? []).map((e) => ({ policy: e.policy, message: `evaluation error: ${e.message}` }))];
  if (all.length === 0) return "- no reason was given";
  return all.map((r) => `- ${r.message} (policy: ${r.policy})`).join("\n");
}

export function deniedResult(tool: string, d: DecisionResponse): ToolErrorResult {
  const policies = [...new Set(d.reasons.map((r) => r.policy))];
  if (d.retry_after !== undefined) return rateLimitedResult(tool, d, policies, d.retry_after);
  return toolError(
    "denied",
    `Mandate denied the call to ${tool}; it was not executed.\nReasons:\n${reasonLines(d)}\n` +
      `Policies: ${policies.join(", ") || "none"}. Decision ${d.decision_id}, policy version ${d.policy_version}.`,
    { decision_id: d.decision_id, reasons: d.reasons, errors: d.errors, policy_version: d.policy_version, policies },
  );
}

/**
 * A deny by a limit on a windowed counter (the default policies `rate` and `loop`): the model reads which
 * limit, which policy and when to retry ("Rate limit for crm/get_customer: 600 calls/min per agent
 * (policy: rate); retry in 12 s."); `retry_after` (seconds) is in `_meta["mandate/error"]` too.
 */
function rateLimitedResult(tool: string, d: DecisionResponse, policies: string[], retryAfter: number): ToolErrorResult {
  const limits = d.reasons.map((r) => `${r.message} (policy: ${r.policy})`).join("; ") || "a limit";
  return toolError(
    "denied",
    `Rate limit for ${tool}: ${limits}; retry in ${retryAfter} s. The call was not executed.\n` +
      `Decision ${d.decision_id}, policy version ${d.policy_version}.`,
    { decision_id: d.decision_id, reasons: d.reasons, errors: d.errors, policy_version: d.policy_version, policies, retry_after: retryAfter },
  );
}

export function approvalPendingResult(tool: string, d: DecisionResponse, waitedMs: number): ToolErrorResult {
  const a = d.approval;
  return toolError(
    "approval_pending",
    `The call to ${tool} needs a human approval and was not executed. Approval ${a?.id ?? "(unknown)"} is still pending ` +
      `after waiting ${Math.round(waitedMs / 1000)} s (it expires at ${a?.expires_at ?? "an unknown time"}).\n` +
      `Ask an approver to decide it in Mandate, then retry the same call (same session, tool and arguments).\nReasons:\n${reasonLines(d)}`,
    { decision_id: d.decision_id, approval_id: a?.id, expires_at: a?.expires_at, reasons: d.reasons, policy_version: d.policy_version },
  );
}

export function approvalClosedResult(tool: string, d: DecisionResponse, status: "denied" | "expired"): ToolErrorResult {
  const id = d.approval?.id ?? "(unknown)";
  return toolError(
    status === "denied" ? "approval_denied" : "approval_expired",
    status === "denied"
      ? `The call to ${tool} was not executed: a human denied approval ${id}.\nReasons it needed approval:\n${reasonLines(d)}`
      : `The call to ${tool} was not executed: approval ${id} expired before anyone decided it. Retry the call to request a new approval.`,
    { decision_id: d.decision_id, approval_id: id, reasons: d.reasons, policy_version: d.policy_version },
  );
}

/** Mandate refused the arguments (they cannot be decided exactly as they would run): fix them, do not retry as is. */
export function invalidArgumentsResult(tool: string, p: Problem): ToolErrorResult {
  const errors = p.errors ?? [];
  return toolError(
    "invalid_arguments",
    `The call to ${tool} was refused and not executed: Mandate cannot decide these arguments exactly as the tool would receive them.\n` +
      `${errors.map((e) => `- ${e.path}: ${e.message}`).join("\n") || `- ${p.detail ?? "invalid arguments"}`}\nSend the arguments without this and retry.`,
    { errors, message: p.detail ?? null },
  );
}

export function mandateUnavailableResult(tool: string, message: string): ToolErrorResult {
  return toolError(
    "mandate_unavailable",
    `The Mandate gateway refused the call to ${tool} because it could not get an authorization decision: ${message}. ` +
      `Nothing was forwarded (fail closed). Retry when Mandate is reachable.`,
    { message },
  );
}

/** The call ran, but labels found in its result could not be committed to the session: the result is not released. */
export function resultWithheldResult(tool: string, d: DecisionResponse, labels: string[], message: string): ToolErrorResult {
  return toolError(
    "result_withheld",
    `The call to ${tool} ran, but its result is withheld: it holds data labelled ${labels.join(", ")}, and Mandate could not ` +
      `record that in the session (${message}). The result is released only once the session knows (fail closed).`,
    { decision_id: d.decision_id, labels, message },
  );
}

/** A server's request (sampling) holds labelled data that could not be committed to the session: not passed to the client. */
export function requestWithheldResult(request: string, d: DecisionResponse, labels: string[], message: string): ToolErrorResult {
  return toolError(
    "request_withheld",
    `The ${request} was refused and not passed to the client: it holds data labelled ${labels.join(", ")}, and Mandate could ` +
      `not record that in the session (${message}). It is passed on only once the session knows (fail closed).`,
    { decision_id: d.decision_id, labels, message },
  );
}

export function upstreamUnavailableResult(tool: string, server: string, message: string): ToolErrorResult {
  return toolError("upstream_unavailable", `The call to ${tool} failed: upstream MCP server "${server}" is not available (${message}).`, { server, message });
}

export function unknownToolResult(name: string): ToolErrorResult {
  return toolError("unknown_tool", `Unknown tool "${name}": no upstream server behind this gateway offers it. List the tools again.`, {
    name,
  });
}
