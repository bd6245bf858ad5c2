/**
 * Search on the MCP store: which tools an agent may call (resource search over the inventory), which
 * agents may call a tool (subject search over the registered agents), and which of tools/call and
 * tools/list an agent may do on a tool (action search). Candidates are checked without a session step
 * and without approvals — the built-in checks, then Cedar on the session as it stands (or a fresh one)
 * — so a tool that needs a human approval is not listed.
 */
import { NO_DELEGATION, buildMcpCall } from "../decisions/mcp-request.ts";
import { precheck } from "../decisions/decide.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { interpret } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { emptySession } from "../sessions/session-cache.ts";
import type { Caller } from "./audit.ts";
import { MCP_AGENT_TYPES, MCP_TOOL_TYPES, resolveAgent, toolRefOf } from "./mcp.ts";
import { isObj, type AzEvaluation } from "./request.ts";
import type { Candidate, SearchPlan, SearchQuery } from "./search.ts";

export async function mcpSearchPlan(rt: Runtime, q: SearchQuery, caller: Caller): Promise<SearchPlan> {
  const { active } = await rt.policies.get("mcp");
  const check = async (ev: AzEvaluation): Promise<boolean> => {
    const action = ev.action.name;
    if (!active || (action !== "tools/call" && action !== "tools/list")) return false;
    const agent = await resolveAgent(rt, ev, caller);
    const ref = toolRefOf(ev.resource);
    if (!("agentId" in agent) || typeof ref === "string") return false;
    const tool = await rt.tools.get(ref.server, ref.name);
    const s = ev.context?.session;
    const session = isObj(s) && typeof s.id === "string" ? await rt.sessions.get(s.id) : emptySession("authzen:search");
    const args = isObj(ev.resource.properties?.arguments) ? (ev.resource.properties.arguments as Record<string, unknown>) : {};
    if (precheck(agent, session, tool, { session: { id: session.id }, tool: ref, arguments: args }, NO_DELEGATION, null).length || !tool) return false;
    const call = buildMcpCall({ action, agent, tool, args, session, delegation: NO_DELEGATION, approvalGranted: false, now: Date.now() });
    return interpret(await rt.evaluator.evaluate(active.cedarId, call), active.byId, rt.config.failClosedOnPolicyError).decision === "allow";
  };
  const base = (patch: Partial<AzEvaluation>): AzEvaluation => ({
    subject: q.subject,
    action: q.action ?? { name: "" },
    resource: q.resource,
    ...(q.context ? { context: q.context } : {}),
    ...patch,
  });
  let source: SearchPlan["source"] = async () => [];
  if (q.kind === "action") {
    source = async (after) =>
      ["tools/call", "tools/list"].filter((n) => after === null || n > after).map((n) => ({ key: n, ev: base({ action: { name: n } }), result: { name: n } }));
  } else if (q.kind === "resource" && MCP_TOOL_TYPES.has(q.resource.type)) {
    source = async (after, limit) => {
      const keys = (await rt.tools.all())
        .map((t) => t.key)
        .sort()
        .filter((k) => after === null || k > after)
        .slice(0, limit);
      return keys.map((k): Candidate => ({
        key: k,
        ev: base({ resource: { ...q.resource, id: k, properties: { ...q.resource.properties, server: undefined } } }),
        result: { type: q.resource.type, id: k },
      }));
    };
  } else if (q.kind === "subject" && MCP_AGENT_TYPES.has(q.subject.type)) {
    source = async (after, limit) => {
      const r = await getPool().query<Row<"agents", "name">>("SELECT name FROM agents WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2", [
        after,
        limit,
      ]);
      return r.rows.map((x): Candidate => ({
        key: x.name,
        ev: base({ subject: { ...q.subject, id: x.name }, context: { ...q.context, agent: x.name } }),
        result: { type: q.subject.type, id: x.name },
      }));
    };
  }
  return { source, check, version: active?.label ?? "none" };
}
