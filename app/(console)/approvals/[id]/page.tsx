import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { ApprovalDecision } from "@/components/approvals/approval-decision";
import { LabelChips } from "@/components/sessions/badges";
import { approvalById } from "@/lib/sessions/queries-approvals";

export const metadata = { title: "Approval" };

/** One approval (the page approval notifications link to), decided or not. */
export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const a = await approvalById((await params).id);
  if (!a) notFound();
  return (
    <section aria-labelledby="approval-h" className="max-w-3xl space-y-3">
      <p className="text-sm">
        <Link href="/approvals" className="text-indigo-800 underline">
          Approvals
        </Link>{" "}
        /
      </p>
      <h1 id="approval-h" className="text-xl font-semibold">
        <span className="font-mono">{a.tool}</span> by {a.agent}
      </h1>
      <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
        <dt className="text-slate-600">Status</dt>
        <dd data-testid="approval-status">{a.status}</dd>
        <dt className="text-slate-600">Session · step</dt>
        <dd>
          <Link className="font-mono underline" href={`/sessions/${encodeURIComponent(a.sessionId)}`}>
            {a.sessionId}
          </Link>{" "}
          · {a.step}
        </dd>
        <dt className="text-slate-600">Requested</dt>
        <dd>
          <Timestamp at={a.createdAt} relative />
        </dd>
        <dt className="text-slate-600">Expires</dt>
        <dd>
          <Timestamp at={a.expiresAt} relative />
        </dd>
        <dt className="text-slate-600">Decided</dt>
        <dd>
          {a.decidedBy ? (
            <>
              {a.decidedBy} at <Timestamp at={a.decidedAt} />
            </>
          ) : (
            "not yet"
          )}
          {a.comment ? ` — “${a.comment}”` : ""}
        </dd>
        <dt className="text-slate-600">Reasons</dt>
        <dd>{a.reasons.map((r) => `${r.policy}: ${r.message}`).join("; ")}</dd>
        <dt className="text-slate-600">Labels before</dt>
        <dd>
          <LabelChips labels={a.labelsBefore} />
        </dd>
      </dl>
      <pre className="max-h-64 overflow-auto rounded bg-white p-3 font-mono text-xs">{JSON.stringify(a.arguments, null, 2)}</pre>
      {a.status === "pending" && <ApprovalDecision id={a.id} canDecide={user.role !== "viewer"} />}
    </section>
  );
}
