import { requireUser } from "@/app/auth";
import { ToolsTable } from "@/components/tools/tools-table";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";
import { listTools, toolsTableDefinition } from "@/lib/console/tools-list";
import { toolCounts } from "@/lib/console/tool-counts";
import Link from "next/link";

export const metadata = { title: "Tools" };

export default async function ToolsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireUser();
  const definition = await toolsTableDefinition();
  const state = parseTableState(definition, await searchParams);
  const [page, counts] = await Promise.all([listTools(state, definition.pageSize), toolCounts()]);
  return (
    <section aria-labelledby="tools-h" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 id="tools-h" className="text-xl font-semibold">
          Tools
        </h1>
        <p className="text-sm text-slate-700">
          {counts.total} tools ·{" "}
          {counts.pending > 0 ? (
            <Link className="font-medium text-amber-900 underline" href="/tools?status=pending">
              {counts.pending} waiting for review
            </Link>
          ) : (
            "none waiting for review"
          )}{" "}
          · {counts.changed} changed since approval · {counts.blocked} blocked
        </p>
      </div>
      <ToolsTable definition={definition} state={state} page={page} />
    </section>
  );
}
