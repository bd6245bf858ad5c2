"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { TimeAgo } from "@/components/forms/time-ago";
import type { AgentRow } from "@/lib/console/agents-list";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import { AgentFlags } from "./flags";

const columns: ColumnDef<AgentRow>[] = [
  {
    id: "name",
    header: "Agent",
    cell: ({ row: { original: a } }) => (
      <div>
        <Link href={`/agents/${encodeURIComponent(a.name)}`} className="font-medium text-indigo-800 hover:underline">
          {a.name}
        </Link>
        {a.description && <div className="max-w-md truncate text-xs text-slate-600">{a.description}</div>}
      </div>
    ),
  },
  { id: "owner", header: "Owner", cell: ({ row: { original: a } }) => a.owner ?? <span className="text-slate-500">—</span> },
  { id: "team", header: "Team", cell: ({ row: { original: a } }) => a.team ?? <span className="text-slate-500">—</span> },
  { id: "keys", header: "Active keys", cell: ({ row: { original: a } }) => <span className="tabular-nums">{a.activeKeys}</span> },
  { id: "flags", header: "Attention", cell: ({ row: { original: a } }) => <AgentFlags flags={a.flags} /> },
  { id: "lastSeen", header: "Last seen", cell: ({ row: { original: a } }) => <TimeAgo at={a.lastSeenAt} /> },
  { id: "created", header: "Registered", cell: ({ row: { original: a } }) => <TimeAgo at={a.createdAt} /> },
];

export function AgentsTable({ definition, state, page }: { definition: TableDefinition; state: TableState; page: Page<AgentRow> }) {
  return (
    <DataTable
      definition={definition}
      state={state}
      page={page}
      columns={columns}
      getRowId={(a) => a.id}
      caption="Agents"
      empty={<p>No agents yet. Register one with the form above; give its API key to the gateway or SDK that acts for it.</p>}
    />
  );
}
