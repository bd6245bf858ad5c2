"use client";

/**
 * A call edge drawn as a quadratic curve bowed `data.offset` pixels off the straight line, so the allowed,
 * denied and pending edges between the same agent and tool are drawn apart, each with its own label at its
 * own midpoint (React Flow's default edges lie on top of each other). The label is SVG inside the edge.
 */
import { BaseEdge, type EdgeProps } from "@xyflow/react";

export function ParallelEdge({ id, sourceX, sourceY, targetX, targetY, data, ...rest }: EdgeProps) {
  const offset = typeof data?.offset === "number" ? data.offset : 0;
  const dx = targetX - sourceX;
  const dy = targetY - sourceY;
  const len = Math.hypot(dx, dy) || 1;
  const [nx, ny] = [-dy / len, dx / len];
  const [mx, my] = [(sourceX + targetX) / 2, (sourceY + targetY) / 2];
  // The curve's midpoint is halfway to its control point: control at 2 × offset puts the label at offset.
  const path = `M ${sourceX},${sourceY} Q ${mx + 2 * nx * offset},${my + 2 * ny * offset} ${targetX},${targetY}`;
  return (
    <BaseEdge
      id={id}
      path={path}
      labelX={mx + nx * offset}
      labelY={my + ny * offset}
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
