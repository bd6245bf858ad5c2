import Link from "next/link";
import type { DecidedApprovalItem } from "@/lib/sessions/queries-approvals";
import { TimeAgo } from "@/components/forms/time-ago";

/** The recently decided approvals: who decided, when, with which comment (or that nobody did). */
export function DecidedTable({ decided }: { decided: DecidedApprovalItem[] }) {
  if (decided.length === 0) return <p className="mt-2 text-sm text-slate-700">No approval has been decided yet.</p>;
  return (
    <div className="mt-2 overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm" data-testid="decided-approvals">
        <caption className="sr-only">Recently decided approvals</caption>
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            {["Tool", "Agent", "Session · step", "Status", "Decided by", "When", "Comment"].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {decided.map((d) => (
            <tr key={d.id} className="border-t border-slate-100" data-approval-id={d.id}>
              <td className="px-3 py-2 font-mono text-xs">
                <Link className="underline" href={`/approvals/${d.id}`}>
                  {d.tool}
                </Link>
              </td>
              <td className="px-3 py-2">{d.agent}</td>
              <td className="px-3 py-2 font-mono text-xs">
                <Link className="underline" href={`/sessions/${encodeURIComponent(d.sessionId)}`}>
                  {d.sessionId}
                </Link>{" "}
                · {d.step}
              </td>
              <td className="px-3 py-2">{d.status}</td>
              <td className="px-3 py-2">{d.decidedBy ?? (d.status === "expired" ? "nobody (expired)" : "—")}</td>
              <td className="px-3 py-2">
                <TimeAgo at={d.decidedAt ?? d.expiresAt} />
              </td>
              <td className="px-3 py-2 text-slate-700">{d.comment ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
