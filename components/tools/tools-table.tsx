"use client";

import { DataTable } from "@/components/data-table";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import type { ToolRow } from "@/lib/console/tools-list";
import { toolsColumns } from "./tools-columns";

export function ToolsTable({ definition, state, page }: { definition: TableDefinition; state: TableState; page: Page<ToolRow> }) {
  return (
    <DataTable
      definition={definition}
      state={state}
      page={page}
      columns={toolsColumns}
      getRowId={(t) => t.id}
      caption="Tool inventory"
      empty={
        <p>
          No tools yet. Tools appear here when a gateway reports what an MCP server lists: start one with <code>npx mandate-gateway</code> in front of your MCP
          server. Each new tool waits here as <em>pending</em> until you approve its classification.
        </p>
      }
    />
  );
}
