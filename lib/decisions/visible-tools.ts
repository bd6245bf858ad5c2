/**
 * POST /api/v1/tools/visible: which of the listed tools, resources (URIs and URI templates) and prompts
 * this agent may use, evaluated as Action::"tools/list", "resources/list" or "prompts/list" (not a
 * step, nothing is written). Used by the gateway to filter the MCP list methods.
 */
import type { PromptRef, ResourceRef, ToolRef } from "../api/schemas.ts";
import type { AgentPrincipal } from "../identity/credential-cache.ts";
import { itemKey, type ItemKind } from "../inventory/item-key.ts";
import type { ToolInfo } from "../inventory/tool-cache.ts";
import { isUriTemplate, uriRefusal } from "../inventory/uri-template.ts";
import { interpret } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { buildMcpCall, NO_DELEGATION, type DelegationView, type McpCedarAction } from "./mcp-request.ts";
import { MCP_STORE, precheck } from "./decide.ts";

const LIST_ACTION: Record<ItemKind, McpCedarAction> = { tool: "tools/list", resource: "resources/list", prompt: "prompts/list" };

export async function visibleTools(
  rt: Runtime,
  agent: AgentPrincipal,
  input: { session?: { id: string; initiator?: string }; tools: ToolRef[]; resources?: ResourceRef[]; prompts?: PromptRef[]; delegation_token?: string },
): Promise<{ tools: ToolRef[]; resources?: ResourceRef[]; prompts?: PromptRef[]; policy_version: string }> {
  const store = await rt.policies.get(MCP_STORE);
  const policy = store.active;
  const none = { tools: [], ...(input.resources ? { resources: [] } : {}), ...(input.prompts ? { prompts: [] } : {}) };
  if (!policy) return { ...none, policy_version: "none" };
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
  const visible = async (kind: ItemKind, server: string, name: string, item: ToolInfo | undefined): Promise<boolean> => {
    if (precheck(agent, session, item, { kind, key: itemKey(kind, server, name) }, delegation, delegationError).length || !item) return false;
    const call = buildMcpCall({ action: LIST_ACTION[kind], agent, tool: item, args: {}, session, delegation, approvalGranted: false, now });
    const answer = await rt.evaluator.evaluate(policy.cedarId, call);
    return interpret(answer, policy.byId, rt.config.failClosedOnPolicyError).decision === "allow";
  };
  const [tools, resources, prompts] = await Promise.all([
    Promise.all(input.tools.map(async (ref) => visible("tool", ref.server, ref.name, await rt.tools.get(ref.server, ref.name)))),
    Promise.all(
      (input.resources ?? []).map(async (ref) => {
        // A template is the family's own entry; a URI is the listed resource or the family it belongs to.
        if (isUriTemplate(ref.uri)) return visible("resource", ref.server, ref.uri, await rt.tools.getItem("resource", ref.server, ref.uri));
        if (uriRefusal(ref.uri)) return false;
        return visible("resource", ref.server, ref.uri, (await rt.tools.resolveResource(ref.server, ref.uri)).item);
      }),
    ),
    Promise.all((input.prompts ?? []).map(async (ref) => visible("prompt", ref.server, ref.name, await rt.tools.getItem("prompt", ref.server, ref.name)))),
  ]);
  return {
    tools: input.tools.filter((_, i) => tools[i]),
    ...(input.resources ? { resources: input.resources.filter((_, i) => resources[i]) } : {}),
    ...(input.prompts ? { prompts: input.prompts.filter((_, i) => prompts[i]) } : {}),
    policy_version: policy.label,
  };
}
