/**
 * The default policy set of the MCP tool-governance store, published on first start.
 * (Tools, resources and prompts that are unknown, not approved or blocked are denied before Cedar runs: lib/decisions.)
 */
export const DEFAULT_MCP_POLICY = `// Mandate default policy set: MCP tool governance.
// Principal: Agent. Actions: "tools/call", "resources/read", "resources/subscribe", "resources/unsubscribe",
// "prompts/get", "completion/complete" (on the prompt or resource its ref names), the server methods
// "initialize", "logging/setLevel", "tasks/get|result|list|cancel" and the server's requests
// "sampling/createMessage", "elicitation/create", "roots/list" (decided, each a step of the session), and
// "tools/list", "resources/list", "prompts/list" (visibility).
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

// Methods about a whole server (resource: Server, summarised from its approved items: status "approved"
// when it has at least one, effect, risk and labels the worst of them). initialize needs no permit: it
// is allowed on any server in the inventory unless a policy forbids, so that a new server can be
// started and its tools listed for review. The other server methods, and the requests a server sends
// to the client, are allowed for an approved server only.

@id("allow-approved-server-methods")
@reason("a server with an approved tool, resource or prompt may receive logging/setLevel and tasks requests, and ask the client for roots, an elicitation or a sampling")
permit (
  principal,
  action in [
    Action::"logging/setLevel",
    Action::"tasks/get",
    Action::"tasks/result",
    Action::"tasks/list",
    Action::"tasks/cancel",
    Action::"roots/list",
    Action::"elicitation/create",
    Action::"sampling/createMessage"
  ],
  resource
)
when { resource.status == "approved" };

@id("sampling-no-other-servers-context")
@reason("a server may not ask the agent's model for a completion that includes other servers' context")
forbid (principal, action == Action::"sampling/createMessage", resource)
when { context.args has includeContext && context.args.includeContext == "allServers" };
`;
