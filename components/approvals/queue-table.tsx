"use client";

/**
 * The approvals queue as a compact table (@tanstack/react-table for the columns and the sort headers;
 * as in the console's other tables, sorting and filtering are done outside it: here by queue-state.ts,
 * which reorders only when the reviewer asks). Every row has the same height, and an item no longer
 * pending keeps its row with one line saying what became of it, so no row moves under the pointer.
 */
import Link from "next/link";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import type { PendingApprovalItem } from "@/lib/sessions/queries-approvals";
import { ago } from "@/lib/console/format";
import { Countdown } from "./countdown";
import { resolutionText, type Resolution, type Sort, type SortKey } from "./queue-state";

const cellClass = "whitespace-nowrap px-3 py-0";
const smallButton = "rounded px-2 py-0.5 text-xs font-medium text-white disabled:opacity-60";

export interface QueueTableProps {
  rows: PendingApprovalItem[];
  resolved: Record<string, Resolution>;
  cursor: string | null;
  selected: ReadonlySet<string>;
  sort: Sort | null;
  canDecide: boolean;
  busy: boolean;
  skewMs: number;
  onSort: (sort: Sort | null) => void;
  onSelect: (id: string, on: boolean) => void;
  onCursor: (id: string) => void;
  onDecide: (ids: string[], decision: "approve" | "deny") => void;
}

function columns(p: QueueTableProps): ColumnDef<PendingApprovalItem>[] {
  return [
    {
      id: "select",
      header: () => <span className="sr-only">Selected</span>,
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select ${row.original.tool} by ${row.original.agent}`}
          checked={p.selected.has(row.id)}
          onChange={(e) => p.onSelect(row.id, e.target.checked)}
        />
      ),
      enableSorting: false,
    },
    {
      id: "tool",
      header: "Tool",
      cell: ({ row }) => (
        <Link className="font-mono text-xs text-indigo-800 underline" href={`/approvals/${row.id}`}>
          {row.original.tool}
        </Link>
      ),
    },
    { id: "agent", header: "Agent", cell: ({ row }) => row.original.agent },
    {
      id: "session",
      header: "Session · step",
      cell: ({ row }) => (
        <span className="font-mono text-xs">
          <Link className="underline" href={`/sessions/${encodeURIComponent(row.original.sessionId)}`}>
            {row.original.sessionId}
          </Link>{" "}
          · {row.original.step}
        </span>
      ),
    },
    {
      id: "reason",
      header: "Why",
      cell: ({ row }) => {
        const r = row.original.reasons[0];
        return (
          <span className="inline-block max-w-64 truncate align-middle text-xs" title={row.original.reasons.map((x) => `${x.policy}: ${x.message}`).join("\n")}>
            {r ? r.policy : "—"}
          </span>
        );
      },
      enableSorting: false,
    },
    {
      id: "age",
      header: "Waiting",
      cell: ({ row }) => (
        <span className="text-xs" suppressHydrationWarning>
          {ago(row.original.createdAt)}
        </span>
      ),
    },
    { id: "expires", header: "Expires", cell: ({ row }) => <Countdown expiresAt={row.original.expiresAt} skewMs={p.skewMs} /> },
    {
      id: "actions",
      header: () => <span className="sr-only">Decide</span>,
      cell: ({ row }) =>
        p.canDecide ? (
          <span className="flex gap-1">
            <button
              type="button"
              className={`${smallButton} bg-indigo-700 hover:bg-indigo-800`}
              disabled={p.busy}
              onClick={() => p.onDecide([row.id], "approve")}
            >
              Approve
            </button>
            <button type="button" className={`${smallButton} bg-red-700 hover:bg-red-800`} disabled={p.busy} onClick={() => p.onDecide([row.id], "deny")}>
              Deny
            </button>
          </span>
        ) : (
          <span className="text-xs text-slate-600">view only</span>
        ),
      enableSorting: false,
    },
  ];
}

export function QueueTable(p: QueueTableProps) {
  const sorting: SortingState = p.sort ? [{ id: p.sort.key, desc: p.sort.desc }] : [];
  const table = useReactTable({
    data: p.rows,
    columns: columns(p),
    getRowId: (r) => r.id,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualFiltering: true,
    state: { sorting },
    onSortingChange: (up) => {
      const next = typeof up === "function" ? up(sorting) : up;
      p.onSort(next[0] ? { key: next[0].id as SortKey, desc: next[0].desc } : null);
    },
  });
  const span = table.getAllLeafColumns().length - 1;
  return (
    <div className="overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="approvals-table">
        <caption className="sr-only">Approvals waiting for a decision</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const dir = h.column.getIsSorted();
                const label = flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th
                    key={h.id}
                    scope="col"
                    className="whitespace-nowrap px-3 py-2 font-medium"
                    aria-sort={dir ? (dir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    {h.column.getCanSort() ? (
                      <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={h.column.getToggleSortingHandler()}>
                        {label}
                        <span aria-hidden className="text-xs text-slate-500">
                          {dir === "asc" ? "▲" : dir === "desc" ? "▼" : "↕"}
                        </span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => {
            const r = p.resolved[row.id];
            const current = p.cursor === row.id;
            return (
              <tr
                key={row.id}
                data-queue-item=""
                data-approval-id={row.id}
                data-testid={r ? "resolved-approval" : "pending-approval-row"}
                aria-current={current ? "true" : undefined}
                onClick={() => p.onCursor(row.id)}
                className={`h-10 border-t border-slate-100 ${current ? "bg-indigo-50 outline outline-2 -outline-offset-2 outline-indigo-600" : ""} ${r ? "text-slate-500" : ""}`}
              >
                {r ? (
                  <>
                    <td className={cellClass} />
                    <td className={`${cellClass} text-xs`} colSpan={span}>
                      <span className="font-mono">{row.original.tool}</span> by {row.original.agent} · <span className="italic">{resolutionText(r)}</span>
                    </td>
                  </>
                ) : (
                  row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cellClass}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
