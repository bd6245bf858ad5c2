import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { AgentFlags } from "@/components/agents/flags";
import { CreateKeyForm, RevokeKeyButton } from "@/components/agents/key-controls";
import { SuspendForm } from "@/components/agents/suspend-form";
import { TimeAgo } from "@/components/forms/time-ago";
import { KeyTable } from "@/components/keys/key-table";
import { RotateKeyForm } from "@/components/nhi/nhi-actions";
import { getAgent } from "@/lib/console/agent-detail";

export const metadata = { title: "Agent" };

const KEY_FLAG: Record<string, string> = { near_expiry: "expires soon", unused: "unused 30d+" };

export default async function AgentPage({ params }: { params: Promise<{ name: string }> }) {
  const user = await requireUser();
  const a = await getAgent(decodeURIComponent((await params).name));
  if (!a) notFound();
  const admin = user.role === "admin";
  return (
    <article className="space-y-6">
      <header className="space-y-1">
        <Link href="/agents" className="text-sm text-indigo-700 underline">
          ← Agents
        </Link>
        <h1 className="text-xl font-semibold">{a.name}</h1>
        <p className="text-slate-700">{a.description ?? "No description."}</p>
        <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
          <div>
            <dt className="inline text-slate-600">Owner </dt>
            <dd className="inline">{a.owner ?? "none — assign one so someone answers for this agent"}</dd>
          </div>
          <div>
            <dt className="inline text-slate-600">Team </dt>
            <dd className="inline">{a.team ?? "—"}</dd>
          </div>
          <div>
            <dt className="inline text-slate-600">Environment </dt>
            <dd className="inline">{a.environment ?? "—"}</dd>
          </div>
          <div>
            <dt className="inline text-slate-600">Registered </dt>
            <dd className="inline">
              <TimeAgo at={a.createdAt} />
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-600">Last seen </dt>
            <dd className="inline">
              <TimeAgo at={a.lastSeenAt} />
            </dd>
          </div>
        </dl>
        <AgentFlags flags={a.flags} />
        {a.suspended && (
          <p role="note" className="rounded bg-red-50 px-3 py-2 text-sm text-red-900">
            Suspended <TimeAgo at={a.suspended.at} />
            {a.suspended.reason ? `: ${a.suspended.reason}` : ""}. Every decision for this agent is a deny.
          </p>
        )}
      </header>

      <section aria-labelledby="keys-h" className="space-y-3">
        <h2 id="keys-h" className="text-base font-semibold">
          API keys
        </h2>
        {a.keys.length === 0 ? (
          <p className="text-sm text-slate-700">This agent has no keys{admin ? ": create one below." : "."}</p>
        ) : (
          <KeyTable
            testId="agent-keys"
            caption={`API keys of ${a.name}`}
            keys={a.keys}
            status={(k) => (
              <>
                <span className={k.status === "active" ? "text-emerald-800" : "text-slate-600"}>{k.status}</span>
                {k.flags.map((f) => (
                  <span key={f} className="ml-1 rounded bg-orange-100 px-1.5 py-0.5 text-xs text-orange-900">
                    {KEY_FLAG[f]}
                  </span>
                ))}
              </>
            )}
            action={(k) =>
              admin &&
              k.status === "active" && (
                <div className="space-y-1">
                  <RotateKeyForm keyId={k.keyId} kind="agent_key" />
                  <RevokeKeyButton keyId={k.keyId} agent={a.name} />
                </div>
              )
            }
          />
        )}
        {admin && <CreateKeyForm agent={a.name} />}
      </section>
      {user.role !== "viewer" && (admin || !a.suspended) && (
        <section aria-labelledby="suspend-h" className="space-y-2">
          <h2 id="suspend-h" className="text-base font-semibold">
            {a.suspended ? "Lift the suspension" : "Suspend"}
          </h2>
          <SuspendForm agent={a.name} suspended={!!a.suspended} />
        </section>
      )}
    </article>
  );
}
