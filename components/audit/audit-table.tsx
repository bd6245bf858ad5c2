"use client";

import { useMemo } from "react";
import { DataTable } from "@/components/data-table";
import { useDrawerParam } from "@/components/drawer/drawer-url";
import type { AuditListRow } from "@/lib/audit/queries";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import { auditColumns } from "./audit-columns";
import { AuditDrawer, AuditDrawerContext, entryId } from "./audit-drawer";

/**
 * The audit log's table, with its drawer: a row's Details button opens the entry in a drawer over the
 * list (`?entry=<chain>:<seq>` in the URL). `focus` is the entry the URL named when the server rendered
 * the page, read on its own in case it is not among the rows shown.
 */
export function AuditTable({
  definition,
  state,
  page,
  focus = null,
  canCreateTest = false,
}: {
  definition: TableDefinition;
  state: TableState;
  page: Page<AuditListRow>;
  focus?: AuditListRow | null;
  /** The drawer offers "Create policy test" on a decision (analysts and admins). */
  canCreateTest?: boolean;
}) {
  const [current, setCurrent] = useDrawerParam("entry");
  const ctx = useMemo(() => ({ current, open: (id: string) => setCurrent(id, current ? "replace" : "push") }), [current, setCurrent]);
  return (
    <AuditDrawerContext.Provider value={ctx}>
      <DataTable
        definition={definition}
        state={state}
        page={page}
        columns={auditColumns}
        getRowId={entryId}
        caption="Audit log entries"
        empty={<p>The audit log is empty. Every decision, outcome, approval and admin action is recorded here as it happens.</p>}
      />
      {current && <AuditDrawer rows={page.rows} current={current} focus={focus} onOpen={(id) => setCurrent(id)} canCreateTest={canCreateTest} />}
    </AuditDrawerContext.Provider>
  );
}
