/**
 * Search on the MCP store: which tools an agent may call (resource search over the inventory), which
 * agents may call a tool (subject search over the registered agents), and which of tools/call and
 * tools/list an agent may do on a tool (action search); for COAZ-MCP, which servers (resource type
 * mcp_server) and which server methods (action search on an mcp_server) the agent may use. Candidates are checked without a session step
 * and without approvals — the built-in checks, then Cedar on the session as it stands (or a fresh one)
 * — so a tool that needs a human approval is not listed.
 */
import { NO_DELEGATION, buildMcpCall } from "../decisions/mcp-request.ts";
import { precheck, toolTarget } from "../decisions/decide.ts";
import { getPool } from "../db/pool.ts";
import type { Row } from "../db/rows.ts";
import { interpret } from "../policy/interpret.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { emptySession } from "../sessions/session-cache.ts";
import type { Caller } from "./audit.ts";
import { argumentsMissing, argumentsMissingFor, MCP_AGENT_TYPES, MCP_TOOL_TYPES, resolveAgent, resolveToolRef } from "./mcp.ts";
import { checkServerMethod, COAZ_SERVER_TYPE, inventoryServers, SERVER_METHODS } from "./mcp-server.ts";
import { isObj, type AzEvaluation } from "./request.ts";
import type { Candidate, SearchPlan, SearchQuery } from "./search.ts";

export async function mcpSearchPlan(rt: Runtime, q: SearchQuery, caller: Caller): Promise<SearchPlan> {
  const { active } = await rt.policies.get("mcp");
  const check = async (ev: AzEvaluation): Promise<boolean> => {
    if (ev.resource.type === COAZ_SERVER_TYPE && ev.action.name === "logging/setLevel") return checkLogging(ev);
    if (ev.resource.type === COAZ_SERVER_TYPE) return (await checkServerMethod(rt, ev, caller)).allowed;
    const action = ev.action.name;
    if (!active || (action !== "tools/call" && action !== "tools/list") || !MCP_TOOL_TYPES.has(ev.resource.type)) return false;
    if (action === "tools/call" && argumentsMissing(ev, active)) return false;
    const agent = await resolveAgent(rt, ev, caller);
    const ref = await resolveToolRef(rt, ev.resource);
    if (!("agentId" in agent) || !("server" in ref)) return false;
    const tool = await rt.tools.get(ref.server, ref.name);
    const s = ev.context?.session;
    const session = isObj(s) && typeof s.id === "string" ? await rt.sessions.get(s.id) : emptySession("authzen:search");
    const args = isObj(ev.resource.properties?.arguments) ? (ev.resource.properties.arguments as Record<string, unknown>) : {};
    if (precheck(agent, session, tool, toolTarget(ref.server, ref.name), NO_DELEGATION, null).length || !tool) return false;
    const call = buildMcpCall({ action, agent, tool, args, session, delegation: NO_DELEGATION, approvalGranted: false, now: Date.now() });
    return interpret(await rt.evaluator.evaluate(active.cedarId, call), active.byId, rt.config.failClosedOnPolicyError).decision === "allow";
  };
  /** logging/setLevel on a server, as mcp-items.ts decides it, without a session step. */
  const checkLogging = async (ev: AzEvaluation): Promise<boolean> => {
    if (!active || argumentsMissingFor(ev, active, "logging/setLevel")) return false;
    const agent = await resolveAgent(rt, ev, caller);
    const server = await rt.tools.getServer(ev.resource.id);
    if (!("agentId" in agent) || !server) return false;
    const s = ev.context?.session;
    const session = isObj(s) && typeof s.id === "string" ? await rt.sessions.get(s.id) : emptySession("authzen:search");
    if (precheck(agent, session, server, { kind: "server", key: server.key }, NO_DELEGATION, null).length) return false;
    const args = isObj(ev.resource.properties?.arguments) ? (ev.resource.properties.arguments as Record<string, unknown>) : {};
    const call = buildMcpCall({
      action: "logging/setLevel",
      agent,
      tool: server,
      args,
      session,
      delegation: NO_DELEGATION,
      approvalGranted: false,
      now: Date.now(),
    });
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
    const names = q.resource.type === COAZ_SERVER_TYPE ? [...SERVER_METHODS, "logging/setLevel"].sort() : ["tools/call", "tools/list"];
    source = async (after) => names.filter((n) => after === null || n > after).map((n) => ({ key: n, ev: base({ action: { name: n } }), result: { name: n } }));
  } else if (q.kind === "resource" && q.resource.type === COAZ_SERVER_TYPE) {
    source = async (after, limit) =>
      (await inventoryServers(rt))
        .filter((k) => after === null || k > after)
        .slice(0, limit)
        .map((k): Candidate => ({ key: k, ev: base({ resource: { type: COAZ_SERVER_TYPE, id: k } }), result: { type: COAZ_SERVER_TYPE, id: k } }));
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
