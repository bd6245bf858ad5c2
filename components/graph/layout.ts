/**
 * Left-to-right layout of the delegation graph with dagre: human → agents → tools. Node sizes are
 * estimated from their text so labels never overlap. Edges are routed by dagre too: an edge that spans
 * several ranks passes through its own slots in the ranks between (never through a node there), and each
 * edge's label is laid out as a box of its own, so a label never lies under a node or another label —
 * including the allowed, denied and pending edges between one agent and one tool, which are separate
 * edges of the multigraph with separate routes and labels.
 */
import { Graph, layout } from "@dagrejs/dagre";
import type { GraphEdge, GraphNode } from "@/lib/analytics/delegation-graph";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface EdgeRoute {
  /** From the source node's border to the target node's border, through the ranks in between. */
  points: Point[];
  /** The label's box (top-left corner), centred where dagre placed it. */
  label: Box;
}

export const nodeSize = (n: GraphNode) => ({
  width: Math.min(280, Math.max(150, 24 + 7 * Math.max(n.label.length, ...n.details.map((d) => d.length * 0.85)))),
  height: 44 + 16 * n.details.length,
});

/** An edge label's box: 11 px bold text (≈ 6.6 px per character) with the label's background padding. */
export const labelSize = (label: string) => ({ width: Math.ceil(12 + 6.6 * label.length), height: 20 });

export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): { nodes: Map<string, Box>; edges: Map<string, EdgeRoute> } {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 28, edgesep: 16, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, nodeSize(n));
  for (const e of edges) g.setEdge(e.source, e.target, { ...labelSize(e.label), labelpos: "c" }, e.id);
  layout(g);
  const boxes = new Map<string, Box>();
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    boxes.set(n.id, { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height });
  }
  const raw = edges.map((e) => ({ e, d: g.edge(e.source, e.target, e.id) as { points: Point[]; x: number; y: number; width: number; height: number } }));
  // The ranks as columns: every node and label of a rank has the same centre x; a column spans its widest.
  const columns = new Map<number, { cx: number; half: number }>();
  const widen = (cx: number, width: number) => {
    const c = columns.get(Math.round(cx));
    columns.set(Math.round(cx), { cx, half: Math.max(c?.half ?? 0, width / 2) });
  };
  for (const b of boxes.values()) widen(b.x + b.width / 2, b.width);
  for (const { d } of raw) widen(d.x, d.width);
  const span = (x: number) => {
    const c = columns.get(Math.round(x));
    return c ? { left: c.cx - c.half, right: c.cx + c.half } : null;
  };
  // Where an edge meets a node's side: at the height dagre chose, kept 6 px inside the node.
  const side = (b: Box, y: number) => Math.min(b.y + b.height - 6, Math.max(b.y + 6, y));
  const routes = new Map<string, EdgeRoute>();
  for (const { e, d } of raw) {
    const [from, to] = [boxes.get(e.source)!, boxes.get(e.target)!];
    // Dagre leaves a node towards its next point, which can clip a neighbour in the same rank. Instead the
    // route leaves from the source's right side and runs level through each rank it crosses, at the height
    // dagre reserved for it there (where no node of that rank is); it slants only between ranks, where no
    // node is, and enters the target from the left.
    const exit = { x: from.x + from.width, y: side(from, d.points[0].y) };
    const entry = { x: to.x, y: side(to, d.points[d.points.length - 1].y) };
    const points: Point[] = [exit, { x: span(from.x + from.width / 2)!.right, y: exit.y }];
    for (const p of d.points.slice(1, -1)) {
      const col = span(p.x);
      if (col) points.push({ x: col.left, y: p.y }, { x: col.right, y: p.y });
      else points.push({ x: p.x, y: p.y });
    }
    points.push({ x: span(to.x + to.width / 2)!.left, y: entry.y }, entry);
    routes.set(e.id, {
      points: points.filter((p, i) => i === 0 || Math.hypot(p.x - points[i - 1].x, p.y - points[i - 1].y) > 0.5),
      label: { x: d.x - d.width / 2, y: d.y - d.height / 2, width: d.width, height: d.height },
    });
  }
  return { nodes: boxes, edges: routes };
}

/** An SVG path through the route's points, its corners rounded (radius up to 12 px, never past a segment's middle). */
export function routePath(points: Point[]): string {
  if (points.length === 0) return "";
  const f = (n: number) => Math.round(n * 10) / 10;
  let d = `M ${f(points[0].x)},${f(points[0].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [a, b, c] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(12, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const towards = (from: Point, to: Point) => {
      const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
      return { x: from.x + ((to.x - from.x) / len) * r, y: from.y + ((to.y - from.y) / len) * r };
    };
    const [p, q] = [towards(b, a), towards(b, c)];
    d += ` L ${f(p.x)},${f(p.y)} Q ${f(b.x)},${f(b.y)} ${f(q.x)},${f(q.y)}`;
  }
  const last = points[points.length - 1];
  return `${d} L ${f(last.x)},${f(last.y)}`;
}
