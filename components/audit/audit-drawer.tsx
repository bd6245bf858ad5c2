"use client";

import Link from "next/link";
import { createContext, useContext } from "react";
import type { AuditListRow } from "@/lib/audit/queries";
import { Drawer } from "@/components/drawer/drawer";
import { OutcomeBadge } from "@/components/shell/outcome-badge";
import { Timestamp } from "@/components/time/timestamp";
import { CreateTestLink } from "@/components/policies/create-test-link";

export const entryId = (r: { chainId: string; seq: number }) => `${r.chainId}:${r.seq}`;

/** Which entry the drawer shows and how a row opens one (the Details column's button uses it). */
export const AuditDrawerContext = createContext<{ current: string | null; open: (id: string) => void }>({ current: null, open: () => {} });
export const useAuditDrawer = () => useContext(AuditDrawerContext);

/**
 * An audit entry in the drawer, over the explorer's list (or the session's Audit entries tab): prev/next
 * move through the rows of the page shown; an entry opened by a link that is not on that page is shown
 * alone (`focus`, read by the server).
 */
export function AuditDrawer({
  rows,
  current,
  focus,
  onOpen,
  canCreateTest = false,
}: {
  rows: AuditListRow[];
  current: string;
  focus: AuditListRow | null;
  onOpen: (id: string | null) => void;
  /** Whether the decision's "Create policy test" action is offered (analysts and admins). */
  canCreateTest?: boolean;
}) {
  const index = rows.findIndex((r) => entryId(r) === current);
  const r = index >= 0 ? rows[index] : focus && entryId(focus) === current ? focus : null;
  const prev = index > 0 ? rows[index - 1] : null;
  const next = index >= 0 && index < rows.length - 1 ? rows[index + 1] : null;
  const close = () => onOpen(null);
  if (!r) {
    return (
      <Drawer title={`Audit entry ${current}`} json={null} onClose={close} onPrev={null} onNext={null}>
        <p role="alert" className="rounded bg-amber-50 px-3 py-2 text-amber-900">
          No audit entry {current}: the link may be mistyped.
        </p>
      </Drawer>
    );
  }
  return (
    <Drawer
      title={`Audit entry ${r.chainId.slice(0, 8)}…#${r.seq}`}
      json={r}
      position={index >= 0 ? `${index + 1} of ${rows.length} on this page` : "not on this page of the list"}
      onClose={close}
      onPrev={prev ? () => onOpen(entryId(prev)) : null}
      onNext={next ? () => onOpen(entryId(next)) : null}
    >
      <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1 break-all" data-testid="drawer-entry" data-entry={entryId(r)}>
        <dt className="text-slate-600">Time</dt>
        <dd>
          <Timestamp at={r.createdAt} />
        </dd>
        <dt className="text-slate-600">Kind · action</dt>
        <dd>
          {r.kind} · <span className="font-mono text-xs">{r.action}</span>
        </dd>
        <dt className="text-slate-600">Actor</dt>
        <dd>{r.actor}</dd>
        {r.tool && (
          <>
            <dt className="text-slate-600">Tool</dt>
            <dd className="font-mono text-xs">{r.tool}</dd>
          </>
        )}
        {r.outcome && (
          <>
            <dt className="text-slate-600">Outcome</dt>
            <dd>
              <OutcomeBadge outcome={r.outcome} />
            </dd>
          </>
        )}
        {r.sessionId && (
          <>
            <dt className="text-slate-600">Session · step</dt>
            <dd>
              <Link
                className="font-mono text-xs text-indigo-800 underline"
                href={`/sessions/${encodeURIComponent(r.sessionId)}${r.step != null ? `?step=${r.step}` : ""}`}
              >
                {r.sessionId}
                {r.step != null ? ` · ${r.step}` : ""}
              </Link>
            </dd>
          </>
        )}
        {r.decisionId && (
          <>
            <dt className="text-slate-600">Decision</dt>
            <dd className="font-mono text-xs">{r.decisionId}</dd>
          </>
        )}
        <dt className="text-slate-600">Entry</dt>
        <dd className="font-mono text-xs">
          {r.chainId}#{r.seq}
        </dd>
        <dt className="text-slate-600">Hash</dt>
        <dd className="font-mono text-xs">{r.hash}</dd>
        <dt className="text-slate-600">Previous hash</dt>
        <dd className="font-mono text-xs">{r.prevHash}</dd>
      </dl>
      {canCreateTest && r.kind === "decision" && r.decisionId && <CreateTestLink decisionId={r.decisionId} />}
    </Drawer>
  );
}
