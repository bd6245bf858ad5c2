import { decodeSegment } from "@/lib/analytics/links";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { DelegationChain } from "@/components/sessions/delegation-chain";
import { ForeignAttempts } from "@/components/sessions/foreign-attempts";
import { SessionActions } from "@/components/sessions/session-actions";
import { SessionHeader } from "@/components/sessions/session-header";
import { Timeline } from "@/components/sessions/timeline";
import { sessionAgents } from "@/lib/sessions/queries";
import { sessionDelegations, timelineCounts, timelineSteps } from "@/lib/sessions/queries-timeline";
import { foreignAttempts } from "@/lib/sessions/foreign-attempts";
import { toolClasses } from "@/lib/analytics/dashboard-queries";
import { loadSession } from "./load-session";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Session ${decodeSegment((await params).id)}` };
}

export default async function SessionPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const id = decodeSegment((await params).id);
  const session = await loadSession(id);
  if (!session) notFound();
  // A link to a step (?step=N, the drawer's state) beyond the first window: that step is read too.
  const asked = (await searchParams).step;
  const deep = typeof asked === "string" && /^\d{1,9}$/.test(asked) && Number(asked) > 200 && Number(asked) <= session.stepCount ? Number(asked) : null;
  const [first, delegations, agents, inventory, foreign, linked, counts] = await Promise.all([
    timelineSteps(id, 0, 200),
    sessionDelegations(id),
    sessionAgents(id),
    toolClasses(),
    foreignAttempts(id),
    deep ? timelineSteps(id, deep - 1, 1) : null,
    timelineCounts(id),
  ]);
  return (
    <div className="space-y-4">
      <SessionHeader s={session} tab="timeline" />
      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <div className="min-w-0 space-y-4">
          <section aria-label="Timeline">
            <Timeline
              sessionId={id}
              stepCount={session.stepCount}
              initial={linked ? [...first.steps, ...linked.steps] : first.steps}
              counts={counts}
              canCreateTest={user.role !== "viewer"}
            />
          </section>
          <ForeignAttempts sessionId={id} attempts={foreign.attempts} total={foreign.total} />
        </div>
        <aside className="space-y-4">
          <DelegationChain session={session} delegations={delegations} now={Date.now()} canRevoke={user.role !== "viewer"} />
          <SessionActions
            role={user.role}
            sessionId={id}
            terminated={session.status === "terminated"}
            agents={agents}
            tools={[...new Set([...session.toolsUsed, ...first.steps.map((s) => s.tool)])].sort()}
            inventory={inventory.filter((t) => t.status === "approved").map((t) => t.key)}
          />
        </aside>
      </div>
    </div>
  );
}
