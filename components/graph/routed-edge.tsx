"use client";

/**
 * An edge drawn along its dagre route (layout.ts: around the nodes of the ranks it crosses) with its label
 * where the layout made room for it. The allowed, denied and pending edges between the same agent and tool
 * are separate routes with separate labels (React Flow's default edges would lie on top of each other).
 */
import { BaseEdge, type EdgeProps } from "@xyflow/react";
import { routePath, type EdgeRoute } from "./layout";

export function RoutedEdge({ id, data, ...rest }: EdgeProps) {
  const route = data?.route as EdgeRoute | undefined;
  if (!route) return null;
  return (
    <BaseEdge
      id={id}
      path={routePath(route.points)}
      labelX={route.label.x + route.label.width / 2}
      labelY={route.label.y + route.label.height / 2}
      label={rest.label}
      labelStyle={rest.labelStyle}
      labelShowBg={rest.labelShowBg}
      labelBgStyle={rest.labelBgStyle}
      labelBgPadding={rest.labelBgPadding}
      labelBgBorderRadius={rest.labelBgBorderRadius}
      style={rest.style}
      markerEnd={rest.markerEnd}
      interactionWidth={rest.interactionWidth}
    />
  );
}
