"use client";

/**
 * The one table of the console: @tanstack/react-table for columns and rendering, with sorting,
 * filtering and keyset pagination done by the server (the URL holds the state; see
 * lib/console/table/). Each entity supplies its columns in a `*-columns.tsx` file; a column whose id
 * is one of the definition's sorts gets a sortable header.
 */
import Link from "next/link";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import type { Page, TableDefinition, TableState } from "@/lib/console/table/definition";
import { FilterBar } from "./filter-bar";
import { ResultCount } from "./result-count";
import { useTableUrl } from "./table-url";

export interface DataTableProps<T> {
  definition: TableDefinition;
  state: TableState;
  page: Page<T>;
  columns: ColumnDef<T>[];
  getRowId: (row: T) => string;
  /** Accessible name of the table. */
  caption: string;
  /** Shown when there are no rows at all (no filters): say what to do next. */
  empty: React.ReactNode;
}

export function DataTable<T>({ definition, state, page, columns, getRowId, caption, empty }: DataTableProps<T>) {
  const { href } = useTableUrl(definition, state);
  const table = useReactTable({
    data: page.rows,
    columns,
    getRowId,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
  });
  const filtered = Object.keys(state.filters).length > 0 || state.q !== "";
  const firstDir = new Map(definition.sorts.map((s) => [s.id, s.firstDir ?? "desc"] as const));

  return (
    <div className="space-y-3">
      <FilterBar definition={definition} state={state} />
      {page.count && <ResultCount count={page.count} />}
      {page.rows.length === 0 && !state.cursor ? (
        <div className="rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700" data-testid="table-empty">
          {filtered ? <p>Nothing matches these filters. Clear them or search for something else.</p> : empty}
        </div>
      ) : (
        <div className="overflow-x-auto rounded border border-slate-200 bg-white">
          <table className="min-w-full text-sm" data-testid={`table-${definition.id}`}>
            <caption className="sr-only">{caption}</caption>
            <thead className="bg-slate-50 text-left text-slate-700">
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const id = h.column.id;
                    const isSorted = state.sort.id === id;
                    const label = flexRender(h.column.columnDef.header, h.getContext());
                    return (
                      <th
                        key={h.id}
                        scope="col"
                        className="whitespace-nowrap px-3 py-2 font-medium"
                        aria-sort={isSorted ? (state.sort.dir === "asc" ? "ascending" : "descending") : undefined}
                      >
                        {firstDir.has(id) ? (
                          <Link
                            href={href({ sort: { id, dir: isSorted && state.sort.dir === "asc" ? "desc" : isSorted ? "asc" : firstDir.get(id)! } })}
                            className="inline-flex items-center gap-1 hover:underline"
                          >
                            {label}
                            <span aria-hidden className="text-xs text-slate-500">
                              {isSorted ? (state.sort.dir === "asc" ? "▲" : "▼") : "↕"}
                            </span>
                          </Link>
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
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="border-t border-slate-100 align-top hover:bg-slate-50">
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages" className="flex items-center gap-3 text-sm">
        {page.prev ? (
          <Link
            className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100"
            href={href({ cursor: { value: page.prev, direction: "before" } })}
          >
            ← Previous
          </Link>
        ) : null}
        {page.next ? (
          <Link
            className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100"
            href={href({ cursor: { value: page.next, direction: "after" } })}
          >
            Next →
          </Link>
        ) : null}
        {state.cursor && !page.prev && (
          <Link className="text-indigo-700 underline" href={href({})}>
            First page
          </Link>
        )}
      </nav>
    </div>
  );
}
