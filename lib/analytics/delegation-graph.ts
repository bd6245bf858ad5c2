/**
 * The delegation graph of a session as nodes and edges (positions come from the layout in the
 * component): the human, each agent with the authority it held (scopes, expiry), and each tool
 * called; delegation edges from grantor to grantee, and one call edge per (agent, tool, outcome)
 * coloured by outcome, carrying what a click needs to list its steps. Pure.
 */
import type { CallGroup, DelegationRow } from "../sessions/queries-timeline.ts";
import { OUTCOME_COLORS, OUTCOME_LABELS } from "./palette.ts";

export type GraphNodeKind = "human" | "agent" | "tool";

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** Lines under the label: scopes and expiry of an agent's grants, call counts of a tool. */
  details: string[];
  /** Grants past their expiry or revoked. */
  warning: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: "delegation" | "opened" | "call";
  label: string;
  color: string;
  /** For call edges: the steps behind the edge. */
  steps?: { agentId: string | null; agent: string; tool: string; outcome: string; count: number; firstStep: number; lastStep: number };
}

/** slate-500: an expired or revoked delegation (its edge; the node is grey and dashed). */
export const EXPIRED_COLOR = "var(--color-slate-500)";

const human = (who: string | null) => `human:${who ?? "unknown"}`;
const agentNode = (id: string | null, name: string) => `agent:${id ?? name}`;

export function buildDelegationGraph(input: {
  initiator: string | null;
  ownerId: string;
  ownerName: string;
  delegations: DelegationRow[];
  calls: CallGroup[];
  now: number;
}): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (n: GraphNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return nodes.get(n.id)!;
  };
  const h = add({ id: human(input.initiator), kind: "human", label: input.initiator ?? "unknown initiator", details: [], warning: false });
  const owner = add({ id: agentNode(input.ownerId, input.ownerName), kind: "agent", label: input.ownerName, details: [], warning: false });
  const byId = new Map(input.delegations.map((d) => [d.id, d]));
  for (const d of input.delegations) {
    const n = add({ id: agentNode(d.agentId, d.agentName), kind: "agent", label: d.agentName, details: [], warning: false });
    const expired = Date.parse(d.expiresAt) <= input.now;
    n.details.push(
      `scopes ${d.scopes.join(" ") || "none"}`,
      `${d.revokedAt ? "revoked" : expired ? "expired" : "expires"} ${(d.revokedAt ?? d.expiresAt).slice(0, 16).replace("T", " ")} UTC`,
    );
    if (d.maxCalls !== null) n.details.push(`budget ${Math.max(0, d.maxCalls - (d.callsUsed ?? 0))}/${d.maxCalls} calls left`);
    if (d.revokedAt || expired) n.warning = true;
    const parent = d.parentId ? byId.get(d.parentId) : undefined;
    const source = parent ? agentNode(parent.agentId, parent.agentName) : human(d.subject);
    if (!parent) add({ id: source, kind: "human", label: d.subject, details: [], warning: false });
    // A grant no longer valid is grey (EXPIRED_COLOR), never the red of a deny.
    const lapsed = d.revokedAt ? "revoked" : expired ? "expired" : null;
    edges.push({
      id: `del:${d.id}`,
      source,
      target: n.id,
      kind: "delegation",
      label: `delegates (depth ${d.depth})${lapsed ? `, ${lapsed}` : ""}`,
      color: lapsed ? EXPIRED_COLOR : "var(--color-indigo-700)",
    });
  }
  if (!input.delegations.some((d) => agentNode(d.agentId, d.agentName) === owner.id)) {
    edges.push({
      id: "opened",
      source: h.id,
      target: owner.id,
      kind: "opened",
      label: "session opened (own key, no delegation)",
      color: "var(--color-slate-500)",
    });
    owner.details.push("own API key");
  }
  const toolCounts = new Map<string, number>();
  for (const c of input.calls) {
    const from = add({ id: agentNode(c.agentId, c.agent), kind: "agent", label: c.agent, details: [], warning: false });
    const tool = add({ id: `tool:${c.tool}`, kind: "tool", label: c.tool, details: [], warning: false });
    toolCounts.set(tool.id, (toolCounts.get(tool.id) ?? 0) + c.count);
    edges.push({
      id: `call:${from.id}:${c.tool}:${c.outcome}`,
      source: from.id,
      target: tool.id,
      kind: "call",
      label: `${c.count} ${(OUTCOME_LABELS[c.outcome] ?? c.outcome).toLowerCase()}`,
      color: OUTCOME_COLORS[c.outcome] ?? "var(--color-slate-600)",
      steps: { agentId: c.agentId, agent: c.agent, tool: c.tool, outcome: c.outcome, count: c.count, firstStep: c.firstStep, lastStep: c.lastStep },
    });
  }
  for (const [id, n] of toolCounts) nodes.get(id)!.details.push(`${n} call${n === 1 ? "" : "s"}`);
  return { nodes: [...nodes.values()], edges };
}
