/**
 * The default policy set of the MCP tool-governance store, published on first start.
 * (Tools, resources and prompts that are unknown, not approved or blocked are denied before Cedar runs: lib/decisions.)
 */
export const DEFAULT_MCP_POLICY = `// Mandate default policy set: MCP tool governance.
// Principal: Agent. Actions: "tools/call", "resources/read", "resources/subscribe", "resources/unsubscribe",
// "prompts/get" (decided, each a step of the session) and "tools/list", "resources/list", "prompts/list" (visibility).
// Resource: Tool, Resource (a URI or a URI-template family) or Prompt, with its approved classification
// (effect, risk, riskLevel 0-3, labels). An allowed step adds its target's labels to the session: reading
// a pii resource gives the session pii exactly as calling a pii tool does.
// Context: args (a resource's URI is args.uri), session (labels, toolsUsed, steps, initiator), delegation, approval, time,
// counters (allowed calls before this one: counters.session.toolCalls, .identicalCalls — same tool and arguments
// in the last 60 s —, counters.agent.minute, .hour, .toolMinute; docs/policies.md). A deny by a policy that
// compares a windowed counter carries retry_after: the seconds until the counter is back below the limit.

@id("allow-approved-low-medium")
@reason("approved tools of low or medium risk are allowed")
permit (principal, action, resource)
when { resource.status == "approved" && resource.riskLevel <= 1 };

@id("allow-destructive-when-approved")
@reason("destructive tools are allowed once a human approves the call")
permit (principal, action, resource)
when { resource.status == "approved" && resource.effect == "destructive" };

@id("destructive-needs-approval")
@approval("required")
@reason("destructive tools need a human approval")
forbid (principal, action == Action::"tools/call", resource)
when { resource.effect == "destructive" }
unless { context.approval.granted };

@id("lethal-trifecta")
@reason("external communication in a session that read PII and ingested untrusted content")
forbid (principal, action == Action::"tools/call", resource)
when {
  resource.labels.contains("external_comm") &&
  context.session.labels.containsAll(["pii", "untrusted_content"])
};

@id("delegation-depth-cap")
@reason("delegation chains longer than 3 hops are not allowed")
forbid (principal, action, resource)
when { context.delegation.depth > 3 };

@id("loop")
@reason("loop: the same call (tool and arguments) was allowed 10 times in this session in 60 s")
forbid (principal, action == Action::"tools/call", resource)
when { context.counters.session.identicalCalls >= 10 };

@id("rate")
@reason("600 calls/min per agent")
forbid (principal, action, resource)
when { context.counters.agent.minute >= 600 };
`;
