"use client";

import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { AuditListRow } from "@/lib/audit/queries";
import { OutcomeBadge } from "@/components/shell/outcome-badge";

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
  { id: "tool", header: "Tool", cell: ({ row }) => <span className="font-mono text-xs">{row.original.tool ?? ""}</span> },
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
    cell: ({ row }) => {
      const r = row.original;
      return (
        <details className="max-w-md text-xs" data-testid="audit-entry" data-entry={`${r.chainId}:${r.seq}`}>
          <summary className="cursor-pointer text-slate-800">{summary(r) || "entry"}</summary>
          <dl className="mt-1 grid grid-cols-[5.5rem_1fr] gap-x-2 break-all">
            <dt className="text-slate-600">entry</dt>
            <dd className="font-mono">
              {r.chainId}#{r.seq}
            </dd>
            <dt className="text-slate-600">hash</dt>
            <dd className="font-mono">{r.hash}</dd>
            <dt className="text-slate-600">prev</dt>
            <dd className="font-mono">{r.prevHash}</dd>
            {r.decisionId && (
              <>
                <dt className="text-slate-600">decision</dt>
                <dd className="font-mono">{r.decisionId}</dd>
              </>
            )}
          </dl>
          <pre className="mt-1 max-h-72 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono">{JSON.stringify(r.data, null, 2)}</pre>
        </details>
      );
    },
  },
];
