import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { AgentActivity } from "@/components/agents/agent-activity";
import { AgentFlags } from "@/components/agents/flags";
import { CreateKeyForm, RevokeKeyButton } from "@/components/agents/key-controls";
import { SuspendForm } from "@/components/agents/suspend-form";
import { AddTrustRuleForm, FederatedOnlyToggle, RemoveTrustRuleButton } from "@/components/agents/trust-rules";
import { TimeAgo } from "@/components/forms/time-ago";
import { KeyTable } from "@/components/keys/key-table";
import { RotateKeyForm } from "@/components/nhi/nhi-actions";
import { dashboardWindow } from "@/lib/analytics/prepare-dashboard";
import { getAgent } from "@/lib/console/agent-detail";
import { defaultKeyDays, keyLimits } from "@/lib/identity/key-lifetime";

export const metadata = { title: "Agent" };

const KEY_FLAG: Record<string, string> = { near_expiry: "expires soon", unused: "unused 30d+" };

const TRUST_COLUMNS = ["Issuer", "Subject", "Claims", "Audience", "JWKS URL", "Created", "By"];

export default async function AgentPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<{ range?: string }> }) {
  const user = await requireUser();
  const a = await getAgent(decodeURIComponent((await params).name));
  if (!a) notFound();
  const admin = user.role === "admin";
  const limits = keyLimits();
  const activeKeys = a.keys.filter((k) => k.status === "active").length;
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

      <AgentActivity agent={a} w={dashboardWindow((await searchParams).range, Date.now())} lastSeenAt={a.lastSeenAt} />

      <section aria-labelledby="keys-h" className="space-y-3">
        <h2 id="keys-h" className="text-base font-semibold">
          API keys
        </h2>
        {a.federatedOnly && (
          <p role="note" className="text-sm text-slate-700" data-testid="federated-only-note">
            Federated-only: no static key can be created for this agent; it authenticates with a platform token its trust rules accept.
          </p>
        )}
        {a.keys.length === 0 ? (
          <p className="text-sm text-slate-700">This agent has no keys{admin && !a.federatedOnly ? ": create one below." : "."}</p>
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
        {admin && !a.federatedOnly && (
          <CreateKeyForm
            agent={a.name}
            maxDays={limits.maxDays.agent_key}
            defaultDays={defaultKeyDays("agent_key", limits)}
            setting={limits.setting.agent_key}
          />
        )}
      </section>
      {admin && (
        <section aria-labelledby="trust-h" className="space-y-3">
          <h2 id="trust-h" className="text-base font-semibold">
            Workload identity (trust rules)
          </h2>
          <p className="text-sm text-slate-700">
            The platform tokens (Kubernetes, SPIFFE, GitHub Actions, any OIDC issuer) this agent may exchange at <code>/api/v1/token</code> for a 15-minute
            access token instead of holding a static key.
          </p>
          {a.trust.length === 0 ? (
            <p className="text-sm text-slate-700">No trust rule: this agent can only use static keys.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm" data-testid="trust-rules">
                <caption className="sr-only">Trust rules of {a.name}</caption>
                <thead>
                  <tr className="border-b border-slate-300 text-slate-700">
                    {TRUST_COLUMNS.map((h) => (
                      <th key={h} scope="col" className="py-1 pr-3">
                        {h}
                      </th>
                    ))}
                    <th scope="col" className="py-1">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {a.trust.map((r) => (
                    <tr key={r.id} data-rule-id={r.id} className="border-b border-slate-200 align-top">
                      <td className="py-1 pr-3 font-mono text-xs break-all">{r.issuer}</td>
                      <td className="py-1 pr-3 font-mono text-xs break-all">{r.subject}</td>
                      <td className="py-1 pr-3 font-mono text-xs">
                        {Object.keys(r.claims).length === 0
                          ? "—"
                          : Object.entries(r.claims).map(([k, v]) => (
                              <div key={k}>
                                {k}={v}
                              </div>
                            ))}
                      </td>
                      <td className="py-1 pr-3 font-mono text-xs break-all">{r.audience ?? "Mandate's public URL"}</td>
                      <td className="py-1 pr-3 font-mono text-xs break-all">{r.jwksUrl ?? "from discovery"}</td>
                      <td className="py-1 pr-3">
                        <TimeAgo at={r.createdAt} />
                      </td>
                      <td className="py-1 pr-3">{r.createdBy}</td>
                      <td className="py-1">
                        <RemoveTrustRuleButton agent={a.name} id={r.id} subject={r.subject} liveTokens={r.liveTokens} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <AddTrustRuleForm agent={a.name} />
          <div className="space-y-1 text-sm">
            <p className="text-slate-700">
              {a.federatedOnly
                ? "Federated-only: no static key can be created for this agent."
                : "Federated-only is off: admins may create static keys for this agent. Turned on, its active keys are revoked and none can be created."}
            </p>
            <FederatedOnlyToggle agent={a.name} federatedOnly={a.federatedOnly} activeKeys={activeKeys} />
          </div>
        </section>
      )}
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
