"use client";

/**
 * The session's delegation graph (@xyflow/react, laid out by dagre). Edges are coloured by outcome, and
 * the allowed, denied and pending edges between one agent and one tool are drawn apart, every edge routed
 * around the nodes with its label where no node or other label is (layout.ts, routed-edge.tsx);
 * clicking a call edge highlights it and lists its steps under the graph. The same edges are listed as
 * buttons under the graph for keyboard and screen-reader users. An expired or revoked grant is grey and
 * dashed — red is for denies.
 */
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo, useState } from "react";
import type { GraphEdge, GraphNode } from "@/lib/analytics/delegation-graph";
import { layoutGraph } from "./layout";
import { EdgeSteps } from "./edge-steps";
import { RoutedEdge } from "./routed-edge";

const EDGE_TYPES = { routed: RoutedEdge };

const KIND_STYLE: Record<GraphNode["kind"], string> = {
  human: "border-sky-700 bg-sky-50",
  agent: "border-indigo-700 bg-indigo-50",
  tool: "border-slate-500 bg-white",
};

function NodeBox({ n }: { n: GraphNode }) {
  return (
    <div className="text-left">
      <div className="text-[10px] uppercase tracking-wide text-slate-600">{n.kind}</div>
      <div className="font-medium text-slate-900">{n.label}</div>
      {n.details.map((d, i) => (
        <div key={i} className={`text-[11px] ${n.warning && i === n.details.length - 1 ? "italic text-slate-600" : "text-slate-700"}`}>
          {d}
        </div>
      ))}
    </div>
  );
}

export function DelegationGraph({ sessionId, nodes, edges }: { sessionId: string; nodes: GraphNode[]; edges: GraphEdge[] }) {
  const [selected, setSelected] = useState<GraphEdge | null>(null);
  const { flowNodes, flowEdges } = useMemo(() => {
    const { nodes: pos, edges: routes } = layoutGraph(nodes, edges);
    const flowNodes: Node[] = nodes.map((n) => {
      const p = pos.get(n.id)!;
      return {
        id: n.id,
        position: { x: p.x, y: p.y },
        data: { label: <NodeBox n={n} /> },
        style: { width: p.width },
        className: `rounded border-2 px-2 py-1 text-xs ${KIND_STYLE[n.kind]} ${n.warning ? "!border-dashed !border-slate-500 !bg-slate-100" : ""}`,
        sourcePosition: "right" as never,
        targetPosition: "left" as never,
        connectable: false,
      };
    });
    const flowEdges: Edge[] = edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      type: "routed",
      data: { route: routes.get(e.id) },
      label: e.label,
      focusable: e.kind === "call",
      ariaLabel: e.steps ? `${e.label}: ${e.steps.agent} calling ${e.steps.tool}` : e.label,
      selected: e.id === selected?.id,
      className: e.id === selected?.id ? "mandate-edge-selected" : undefined,
      style: {
        stroke: e.color,
        strokeWidth: e.id === selected?.id ? 5 : e.kind === "call" ? 2.5 : 2,
        opacity: selected && e.id !== selected.id ? 0.45 : 1,
        strokeDasharray: e.kind === "call" ? undefined : "6 4",
        cursor: e.kind === "call" ? "pointer" : "default",
      },
      labelStyle: { fill: e.color, fontWeight: 600, fontSize: 11 },
      labelBgStyle: { fill: "var(--color-white)" },
      markerEnd: { type: MarkerType.ArrowClosed, color: e.color },
    }));
    return { flowNodes, flowEdges };
  }, [nodes, edges, selected]);
  const byId = useMemo(() => new Map(edges.map((e) => [e.id, e])), [edges]);
  const calls = edges.filter((e) => e.kind === "call");

  return (
    <div className="space-y-4">
      <div className="space-y-3">
        <div className="h-[65vh] rounded border border-slate-200 bg-white" data-testid="delegation-graph">
          <ReactFlow
            nodes={flowNodes}
            edges={flowEdges}
            edgeTypes={EDGE_TYPES}
            fitView
            fitViewOptions={{ padding: 0.08, maxZoom: 1.4 }}
            nodesDraggable={false}
            nodesConnectable={false}
            onEdgeClick={(_, e) => setSelected(byId.get(e.id)?.kind === "call" ? byId.get(e.id)! : null)}
            onEdgesChange={() => {}}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={24} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <details className="rounded border border-slate-200 bg-white p-3 text-sm">
          <summary className="cursor-pointer font-medium">Calls as a list ({calls.length})</summary>
          <ul className="mt-2 space-y-1">
            {calls.map((e) => (
              <li key={e.id}>
                <button type="button" className="text-left underline decoration-dotted" style={{ color: e.color }} onClick={() => setSelected(e)}>
                  {e.steps!.agent} → {e.steps!.tool}: {e.label} (steps {e.steps!.firstStep}–{e.steps!.lastStep})
                </button>
              </li>
            ))}
          </ul>
        </details>
      </div>
      <aside aria-live="polite">
        {selected?.steps ? (
          <EdgeSteps key={selected.id} sessionId={sessionId} edge={selected} />
        ) : (
          <p className="rounded border border-dashed border-slate-300 bg-white p-4 text-sm text-slate-700">
            Click a call edge (or pick one from the list) to see its steps.
          </p>
        )}
      </aside>
    </div>
  );
}
