"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { SessionListRow } from "@/lib/sessions/queries";
import { TimeAgo } from "@/components/forms/time-ago";
import { Initiator, LabelChips, RiskBadge, SessionStatus } from "./badges";

export const sessionsColumns: ColumnDef<SessionListRow>[] = [
  {
    id: "session",
    header: "Session",
    cell: ({ row }) => (
      <Link href={`/sessions/${encodeURIComponent(row.original.id)}`} className="font-mono text-xs text-indigo-800 underline">
        {row.original.id}
      </Link>
    ),
  },
  {
    id: "risk",
    header: "Risk",
    cell: ({ row }) => <RiskBadge risk={row.original.risk} />,
  },
  { id: "agent", header: "Agent", cell: ({ row }) => row.original.agentName },
  { id: "initiator", header: "Initiator", cell: ({ row }) => <Initiator initiator={row.original.initiator} verified={row.original.initiatorVerified} /> },
  { id: "steps", header: "Steps", cell: ({ row }) => <span className="tabular-nums">{row.original.stepCount}</span> },
  {
    id: "denies",
    header: "Denies",
    cell: ({ row }) => (
      <span className="tabular-nums">
        {row.original.denyCount > 0 ? <span className="font-medium text-red-800">{row.original.denyCount}</span> : 0}
        {row.original.approvalCount > 0 && (
          <span className="ml-2 text-xs text-amber-800">
            {row.original.approvalCount} approval{row.original.approvalCount > 1 ? "s" : ""}
          </span>
        )}
      </span>
    ),
  },
  { id: "labels", header: "Data labels", cell: ({ row }) => <LabelChips labels={row.original.labels} /> },
  { id: "status", header: "Status", cell: ({ row }) => <SessionStatus status={row.original.status} /> },
  { id: "started", header: "Started", cell: ({ row }) => <TimeAgo at={row.original.startedAt} /> },
  { id: "lastActivity", header: "Last activity", cell: ({ row }) => <TimeAgo at={row.original.lastActivityAt} /> },
];
