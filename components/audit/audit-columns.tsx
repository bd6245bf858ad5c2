"use client";

import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { AuditListRow } from "@/lib/audit/queries";
import { MethodChip } from "@/components/shell/method-chip";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { entryId, useAuditDrawer } from "./audit-drawer";

/** The members of an entry's data the summary shows, as the entry kinds write them (lib/audit/entries/). */
interface SummaryData {
  reasons?: Array<{ policy: string; message: string }>;
  status?: string;
  duration_ms?: number | null;
  error?: string | null;
  comment?: string | null;
  reason?: string;
  scopes?: string[];
}

function summary(r: AuditListRow): string {
  const d = r.data as SummaryData;
  if (Array.isArray(d.reasons) && d.reasons[0]) return `${d.reasons[0].policy}: ${d.reasons[0].message}`;
  if (r.kind === "outcome") return `${d.status ?? ""}${d.duration_ms != null ? ` in ${d.duration_ms} ms` : ""}${d.error ? ` — ${d.error}` : ""}`;
  if (d.comment) return String(d.comment);
  if (d.reason) return String(d.reason);
  if (d.scopes) return `scopes ${d.scopes.join(" ")}`;
  return "";
}

export const auditColumns: ColumnDef<AuditListRow>[] = [
  {
    id: "time",
    header: "Time",
    cell: ({ row }) => <Timestamp at={row.original.createdAt} />,
  },
  { id: "kind", header: "Kind", cell: ({ row }) => <span className="text-xs">{row.original.kind}</span> },
  { id: "action", header: "Action", cell: ({ row }) => <span className="font-mono text-xs">{row.original.action}</span> },
  { id: "actor", header: "Actor", cell: ({ row }) => <span className="text-xs">{row.original.actor}</span> },
  {
    id: "tool",
    header: "Method · target",
    cell: ({ row }) => {
      const r = row.original;
      // A decision names its MCP method (absent in entries older than the other methods: tools/call).
      const method =
        r.kind === "decision"
          ? typeof (r.data as { method?: unknown }).method === "string"
            ? String((r.data as { method: string }).method)
            : "tools/call"
          : null;
      return (
        <span className="inline-flex flex-wrap items-center gap-1">
          {method && <MethodChip method={method} />}
          <span className="font-mono text-xs">{r.tool ?? ""}</span>
        </span>
      );
    },
  },
  { id: "outcome", header: "Outcome", cell: ({ row }) => (row.original.outcome ? <OutcomeBadge outcome={row.original.outcome} /> : null) },
  {
    id: "session",
    header: "Session · step",
    cell: ({ row }) =>
      row.original.sessionId ? (
        <Link className="font-mono text-xs text-indigo-800 underline" href={`/sessions/${encodeURIComponent(row.original.sessionId)}`}>
          {row.original.sessionId}
          {row.original.step != null ? ` · ${row.original.step}` : ""}
        </Link>
      ) : null,
  },
  {
    id: "details",
    header: "Details",
    cell: ({ row }) => <DetailsButton r={row.original} />,
  },
];

/** Opens the entry in the drawer (full JSON, hash chain, links): the cell itself never grows or clips. */
function DetailsButton({ r }: { r: AuditListRow }) {
  const { current, open } = useAuditDrawer();
  const id = entryId(r);
  return (
    <button
      type="button"
      onClick={() => open(id)}
      aria-current={current === id ? "true" : undefined}
      data-testid="audit-entry"
      data-entry={id}
      className={`block max-w-md truncate text-left text-xs underline decoration-dotted hover:text-indigo-800 ${current === id ? "font-semibold text-indigo-900" : "text-slate-800"}`}
      title="Open in the drawer"
    >
      {summary(r) || "entry"}
    </button>
  );
}
