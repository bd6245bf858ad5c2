import { decodeSegment } from "@/lib/analytics/links";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { DelegationChain } from "@/components/sessions/delegation-chain";
import { ForeignAttempts } from "@/components/sessions/foreign-attempts";
import { SessionActions } from "@/components/sessions/session-actions";
import { SessionHeader } from "@/components/sessions/session-header";
import { Timeline } from "@/components/sessions/timeline";
import { sessionAgents } from "@/lib/sessions/queries";
import { sessionDelegations, timelineSteps } from "@/lib/sessions/queries-timeline";
import { foreignAttempts } from "@/lib/sessions/foreign-attempts";
import { toolClasses } from "@/lib/analytics/dashboard-queries";
import { loadSession } from "./load-session";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Session ${decodeSegment((await params).id)}` };
}

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = decodeSegment((await params).id);
  const session = await loadSession(id);
  if (!session) notFound();
  const [first, delegations, agents, inventory, foreign] = await Promise.all([
    timelineSteps(id, 0, 200),
    sessionDelegations(id),
    sessionAgents(id),
    toolClasses(),
    foreignAttempts(id),
  ]);
  return (
    <div className="space-y-4">
      <SessionHeader s={session} tab="timeline" />
      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <div className="min-w-0 space-y-4">
          <section aria-label="Timeline">
            <Timeline sessionId={id} stepCount={session.stepCount} initial={first.steps} />
          </section>
          <ForeignAttempts sessionId={id} attempts={foreign.attempts} total={foreign.total} />
        </div>
        <aside className="space-y-4">
          <DelegationChain session={session} delegations={delegations} now={Date.now()} />
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
