import { decodeSegment } from "@/lib/analytics/links";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { DelegationGraph } from "@/components/graph/delegation-graph";
import { SessionHeader } from "@/components/sessions/session-header";
import { buildDelegationGraph } from "@/lib/analytics/delegation-graph";
import { sessionCallGroups, sessionDelegations } from "@/lib/sessions/queries-timeline";
import { loadSession } from "../load-session";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Delegation graph · ${decodeSegment((await params).id)}` };
}

export default async function SessionGraphPage({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  const id = decodeSegment((await params).id);
  const session = await loadSession(id);
  if (!session) notFound();
  const [delegations, calls] = await Promise.all([sessionDelegations(id), sessionCallGroups(id)]);
  const graph = buildDelegationGraph({
    initiator: session.initiator,
    ownerId: session.agentId,
    ownerName: session.agentName,
    delegations,
    calls,
    now: Date.now(),
  });
  return (
    <div className="space-y-4">
      <SessionHeader s={session} tab="graph" />
      <p className="text-sm text-slate-700">
        Who acted on whose authority: the human, each agent with the scopes and expiry it was granted, and the tools each agent called — edges in
        <span className="font-medium text-emerald-800"> green allowed</span>, <span className="font-medium text-red-800">red denied</span>,
        <span className="font-medium text-amber-800"> amber waiting for approval</span>.
      </p>
      <DelegationGraph sessionId={id} nodes={graph.nodes} edges={graph.edges} />
    </div>
  );
}
