/**
 * POST /api/v1/tools/visible: which of the listed tools this agent may call, evaluated as
 * Action::"tools/list" (not a step, nothing is written). Used by the gateway to filter tools/list.
 */
import type { ToolRef } from "../api/schemas.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { interpret } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { buildMcpCall, NO_DELEGATION, type DelegationView } from "./mcp-request.ts";
import { MCP_STORE, precheck } from "./decide.ts";

export async function visibleTools(
  rt: Runtime,
  agent: AgentPrincipal,
  input: { session?: { id: string; initiator?: string }; tools: ToolRef[]; delegation_token?: string },
): Promise<{ tools: ToolRef[]; policy_version: string }> {
  const store = await rt.policies.get(MCP_STORE);
  const policy = store.active;
  if (!policy) return { tools: [], policy_version: "none" };
  let delegation: DelegationView = NO_DELEGATION;
  let delegationError: string | null = null;
  if (input.delegation_token) {
    const v = await rt.delegation.verifier.verify(input.delegation_token, agent);
    if (v.ok) delegation = v.view;
    else delegationError = v.message;
  }
  const sessionId = input.session?.id ?? `visibility:${agent.agentId}`;
  const session = input.session ? await rt.sessions.get(sessionId) : await rt.sessions.get(sessionId).then((s) => ({ ...s, exists: false }));
  const now = Date.now();
  const results = await Promise.all(
    input.tools.map(async (ref) => {
      const tool = await rt.tools.get(ref.server, ref.name);
      const req = { session: { id: sessionId }, tool: ref, arguments: {} };
      if (precheck(agent, session, tool, req, delegation, delegationError).length || !tool) return false;
      const call = buildMcpCall({ action: "tools/list", agent, tool, args: {}, session, delegation, approvalGranted: false, now });
      const answer = await rt.evaluator.evaluate(policy.cedarId, call);
      return interpret(answer, policy.byId, rt.config.failClosedOnPolicyError).decision === "allow";
    }),
  );
  return { tools: input.tools.filter((_, i) => results[i]), policy_version: policy.label };
}
