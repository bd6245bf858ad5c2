"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import { DataTable } from "@/components/data-table";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { TimeAgo } from "@/components/forms/time-ago";
import type { DisagreementRow } from "@/lib/console/shadow-table";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";

const columns: ColumnDef<DisagreementRow>[] = [
  { id: "at", header: "Time", cell: ({ row: { original: r } }) => <TimeAgo at={r.at} /> },
  { id: "agent", header: "Agent", cell: ({ row: { original: r } }) => r.agent },
  { id: "tool", header: "Tool", cell: ({ row: { original: r } }) => <span className="font-mono text-xs">{r.tool}</span> },
  { id: "enforced", header: "Enforced", cell: ({ row: { original: r } }) => <OutcomeBadge outcome={r.enforced} /> },
  { id: "shadow", header: "Shadow", cell: ({ row: { original: r } }) => <OutcomeBadge outcome={r.shadow} /> },
  {
    id: "why",
    header: "Shadow's reason",
    cell: ({ row: { original: r } }) => <span className="text-slate-700">{r.shadowReasons.map((x) => x.message).join("; ")}</span>,
  },
  {
    id: "session",
    header: "Session",
    cell: ({ row: { original: r } }) => (
      <Link className="font-mono text-xs text-indigo-700 underline" href={`/sessions/${encodeURIComponent(r.sessionId)}#step-${r.step}`}>
        {r.sessionId.slice(0, 18)} · {r.step}
      </Link>
    ),
  },
];

export function ShadowTable({ definition, state, page }: { definition: TableDefinition; state: TableState; page: Page<DisagreementRow> }) {
  return (
    <DataTable
      definition={definition}
      state={state}
      page={page}
      columns={columns}
      getRowId={(r) => r.decisionId}
      caption="Disagreements between the shadow and the active version"
      empty={
        <p>
          No disagreements yet: every decision since the shadow version started agreed with the active one. Leave it running on real traffic before publishing.
        </p>
      }
    />
  );
}
