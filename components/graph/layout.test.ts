import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode } from "@/lib/analytics/delegation-graph";
import { layoutGraph, routePath, type Box, type Point } from "./layout";

const node = (id: string, kind: GraphNode["kind"], details: string[] = []): GraphNode => ({ id, kind, label: id.split(":")[1], details, warning: false });
const edge = (id: string, source: string, target: string, label: string, kind: GraphEdge["kind"] = "call"): GraphEdge => ({
  id,
  source,
  target,
  kind,
  label,
  color: "black",
});

/** Whether the segment a→b passes through the inside of `box` shrunk by 1 px (Liang–Barsky clipping). */
function crosses(a: Point, b: Point, box: Box): boolean {
  const [x0, y0, x1, y1] = [box.x + 1, box.y + 1, box.x + box.width - 1, box.y + box.height - 1];
  let [t0, t1] = [0, 1];
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  for (const [p, q] of [
    [-dx, a.x - x0],
    [dx, x1 - a.x],
    [-dy, a.y - y0],
    [dy, y1 - a.y],
  ]) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const onBorder = (p: Point, b: Box) =>
  p.x >= b.x - 1 &&
  p.x <= b.x + b.width + 1 &&
  p.y >= b.y - 1 &&
  p.y <= b.y + b.height + 1 &&
  !crosses(p, p, { x: b.x + 1, y: b.y + 1, width: b.width - 2, height: b.height - 2 });

describe("layoutGraph", () => {
  // A session opened by a person, an agent that delegates to a second one, both calling tools, the
  // first agent's calls to one tool allowed, denied and pending, and its calls to a tool the delegate
  // also calls (those edges span the delegate's rank).
  const nodes = [
    node("human:alice@example.com", "human"),
    node("agent:support-assistant", "agent", ["scopes: crm:read mail:send"]),
    node("agent:billing-helper", "agent", ["scopes: crm:read", "expires 2026-12-08 10:00 UTC"]),
    node("tool:mail/send_email", "tool", ["3 calls"]),
    node("tool:crm/get_customer", "tool", ["40 calls"]),
    node("tool:files/read_file", "tool", ["7 calls"]),
    node("tool:web/fetch_url", "tool"),
  ];
  const edges = [
    edge("opened", "human:alice@example.com", "agent:support-assistant", "opened the session", "opened"),
    edge("delegated", "agent:support-assistant", "agent:billing-helper", "delegated crm:read", "delegation"),
    edge("mail-allow", "agent:support-assistant", "tool:mail/send_email", "1 allowed"),
    edge("mail-deny", "agent:support-assistant", "tool:mail/send_email", "105 denied"),
    edge("mail-pending", "agent:support-assistant", "tool:mail/send_email", "2 pending approval"),
    edge("crm-root", "agent:support-assistant", "tool:crm/get_customer", "12 allowed"),
    edge("crm-delegate", "agent:billing-helper", "tool:crm/get_customer", "28 allowed"),
    edge("files-root", "agent:support-assistant", "tool:files/read_file", "7 denied"),
    edge("files-delegate", "agent:billing-helper", "tool:files/read_file", "1 allowed"),
    edge("web", "agent:billing-helper", "tool:web/fetch_url", "3 allowed"),
  ];
  const { nodes: boxes, edges: routes } = layoutGraph(nodes, edges);

  it("routes every edge from its source's border to its target's border, through no other node", () => {
    for (const e of edges) {
      const r = routes.get(e.id)!;
      expect(r.points.length, e.id).toBeGreaterThanOrEqual(2);
      expect(onBorder(r.points[0], boxes.get(e.source)!), `${e.id} starts on its source`).toBe(true);
      expect(onBorder(r.points.at(-1)!, boxes.get(e.target)!), `${e.id} ends on its target`).toBe(true);
      for (const n of nodes) {
        if (n.id === e.source || n.id === e.target) continue;
        for (let i = 1; i < r.points.length; i++) expect(crosses(r.points[i - 1], r.points[i], boxes.get(n.id)!), `${e.id} through ${n.id}`).toBe(false);
      }
    }
    // The calls that skip the delegate's rank do pass it (so the check above is not vacuous).
    const delegate = boxes.get("agent:billing-helper")!;
    const root = routes.get("files-root")!.points;
    expect(root[0].x < delegate.x && root.at(-1)!.x > delegate.x + delegate.width).toBe(true);
  });

  it("puts every label where no node and no other label is, the parallel edges' labels included", () => {
    const labels = edges.map((e) => [e.id, routes.get(e.id)!.label] as const);
    for (const [id, l] of labels) {
      for (const n of nodes) expect(overlap(l, boxes.get(n.id)!), `${id}'s label under ${n.id}`).toBe(false);
      for (const [other, m] of labels) if (other !== id) expect(overlap(l, m), `${id}'s label on ${other}'s`).toBe(false);
    }
    const mail = ["mail-allow", "mail-deny", "mail-pending"].map((id) => routePath(routes.get(id)!.points));
    expect(new Set(mail).size).toBe(3);
  });

  it("draws a route as straight segments with rounded corners", () => {
    expect(
      routePath([
        { x: 0, y: 0 },
        { x: 100, y: 0 },
      ]),
    ).toBe("M 0,0 L 100,0");
    expect(
      routePath([
        { x: 0, y: 0 },
        { x: 100, y: 0 },
        { x: 100, y: 100 },
      ]),
    ).toBe("M 0,0 L 88,0 Q 100,0 100,12 L 100,100");
  });
});
