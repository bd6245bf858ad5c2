import { requireUser } from "@/app/auth";
import { ApprovalsQueue } from "@/components/approvals/approvals-queue";
import { approvalQueue } from "@/lib/sessions/queries-approvals";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requireUser();
  const initial = await approvalQueue();
  return (
    <section aria-labelledby="approvals-h" className="space-y-4">
      <div>
        <h1 id="approvals-h" className="text-xl font-semibold">
          Approvals
        </h1>
        <p className="text-sm text-slate-700">
          Calls a policy held for a human. Approving lets the agent&apos;s retry with exactly the same arguments through, once; denying keeps it blocked.
        </p>
      </div>
      <ApprovalsQueue initial={initial} role={user.role} email={user.email} view={user.approvalsView ?? "cards"} />
    </section>
  );
}
