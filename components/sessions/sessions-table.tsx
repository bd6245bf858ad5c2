"use client";

import { DataTable } from "@/components/data-table";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import type { SessionListRow } from "@/lib/sessions/queries";
import { sessionsColumns } from "./sessions-columns";

export function SessionsTable({
  definition,
  state,
  page,
  empty,
}: {
  definition: TableDefinition;
  state: TableState;
  page: Page<SessionListRow>;
  empty?: React.ReactNode;
}) {
  return (
    <DataTable
      definition={definition}
      state={state}
      page={page}
      columns={sessionsColumns}
      getRowId={(s) => s.id}
      caption="Agent sessions"
      empty={
        empty ?? (
          <p>
            No sessions yet. A session appears when an agent behind the gateway makes its first tool call (<code>npx mandate-gateway</code>), or load a
            realistic history with <code>npm run seed:history</code>.
          </p>
        )
      }
    />
  );
}
