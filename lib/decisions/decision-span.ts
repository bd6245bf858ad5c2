/** The decision path's trace attributes (lib/decisions/decide.ts; lib/telemetry/tracing.ts). */
import type { DecisionResponse } from "../api/schemas.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import type { Span } from "../telemetry/tracing.ts";
import type { Evaluated } from "./evaluate.ts";
import type { Target } from "./target.ts";

export function endCedarSpan(s: Span, ev: Evaluated): void {
  s.setAttribute("mandate.decision", ev.decision);
  if (ev.errors.length)
    s.setAttribute(
      "mandate.policy_errors",
      ev.errors.map((e) => e.policy),
    );
  s.end();
}

/** The decision on the request's span: OpenTelemetry's GenAI attributes for the tool, and Mandate's own. */
export function decisionAttributes(span: Span, r: DecisionResponse, agent: AgentPrincipal, target: Target, step: number): void {
  if (!span.isRecording()) return;
  span.setAttributes({
    "mcp.method.name": target.action,
    "mandate.server": target.server,
    "mandate.decision": r.decision,
    "mandate.decision_id": r.decision_id,
    "mandate.policy_ids": r.reasons.map((x) => x.policy),
    "mandate.policy_version": r.policy_version,
    "mandate.session_id": r.session.id,
    "mandate.agent": agent.name,
  });
  if (r.session.step !== null) span.setAttribute("mandate.step", step);
  const what =
    target.action === "tools/call"
      ? "gen_ai.tool.name"
      : target.action === "prompts/get"
        ? "gen_ai.prompt.name"
        : target.action.startsWith("resources/")
          ? "mcp.resource.uri"
          : null;
  if (what) span.setAttribute(what, target.requested);
}
