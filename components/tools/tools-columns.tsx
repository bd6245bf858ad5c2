"use client";

import Link from "next/link";
import type { ColumnDef } from "@tanstack/react-table";
import type { ToolRow } from "@/lib/console/tools-list";
import { compactNumber } from "@/lib/console/format";
import { TimeAgo } from "@/components/forms/time-ago";
import { EffectBadge, KindBadge, Labels, RiskBadge, StatusBadge } from "./badges";

export const toolHref = (server: string, name: string) => `/tools/${encodeURIComponent(server)}/${encodeURIComponent(name)}`;

export const toolsColumns: ColumnDef<ToolRow>[] = [
  {
    id: "name",
    header: "Tool",
    cell: ({ row: { original: t } }) => (
      <div>
        <Link href={toolHref(t.server, t.name)} className="font-mono text-sm text-indigo-800 hover:underline">
          {t.server}/{t.name}
        </Link>
        {t.kind !== "tool" && <KindBadge kind={t.kind} />}
        {t.title && <div className="text-xs text-slate-600">{t.title}</div>}
      </div>
    ),
  },
  { id: "status", header: "Status", cell: ({ row: { original: t } }) => <StatusBadge status={t.status} blocked={t.blocked} changed={!!t.changeFlag} /> },
  { id: "effect", header: "Effect", cell: ({ row: { original: t } }) => <EffectBadge effect={t.effect} suggested={t.suggested} /> },
  { id: "risk", header: "Risk", cell: ({ row: { original: t } }) => <RiskBadge risk={t.risk} suggested={t.suggested} /> },
  { id: "labels", header: "Labels", cell: ({ row: { original: t } }) => <Labels labels={t.labels} /> },
  {
    id: "calls",
    header: "Calls",
    cell: ({ row: { original: t } }) => (
      <span className="tabular-nums" title={String(t.callCount)}>
        {compactNumber(t.callCount)}
      </span>
    ),
  },
  { id: "lastSeen", header: "Last seen", cell: ({ row: { original: t } }) => <TimeAgo at={t.lastSeenAt} /> },
];
