"use client";

import { DataTable } from "@/components/data-table";
import type { AuditListRow } from "@/lib/audit/queries";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import { auditColumns } from "./audit-columns";

export function AuditTable({ definition, state, page }: { definition: TableDefinition; state: TableState; page: Page<AuditListRow> }) {
  return (
    <DataTable
      definition={definition}
      state={state}
      page={page}
      columns={auditColumns}
      getRowId={(r) => `${r.chainId}:${r.seq}`}
      caption="Audit log entries"
      empty={<p>The audit log is empty. Every decision, outcome, approval and admin action is recorded here as it happens.</p>}
    />
  );
}
