/**
 * Left-to-right layout of the delegation graph with dagre: human → agents → tools. Node sizes are
 * estimated from their text so labels never overlap.
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { GraphEdge, GraphNode } from "@/lib/analytics/delegation-graph";

export const nodeSize = (n: GraphNode) => ({
  width: Math.min(280, Math.max(150, 24 + 7 * Math.max(n.label.length, ...n.details.map((d) => d.length * 0.85)))),
  height: 44 + 16 * n.details.length,
});

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): Map<string, { x: number; y: number; width: number; height: number }> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 28, ranksep: 110, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, nodeSize(n));
  for (const e of edges) g.setEdge(e.source, e.target, { width: 90, height: 18 }, e.id);
  layout(g);
  const out = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    out.set(n.id, { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height });
  }
  return out;
}

/** Offsets for edges that share their ends: 0 for a lone edge, else spread `gap` apart around the line. */
export function parallelOffsets(edges: Array<{ id: string; source: string; target: string }>, gap = 34): Map<string, number> {
  const groups = new Map<string, string[]>();
  for (const e of edges) {
    const k = `${e.source}\u0000${e.target}`;
    groups.set(k, [...(groups.get(k) ?? []), e.id]);
  }
  const out = new Map<string, number>();
  for (const ids of groups.values()) ids.forEach((id, i) => out.set(id, (i - (ids.length - 1) / 2) * gap));
  return out;
}
