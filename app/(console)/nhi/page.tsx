import Link from "next/link";
import { requireUser } from "@/app/auth";
import { TimeAgo } from "@/components/forms/time-ago";
import { AssignOwner, MakeFederatedOnly, RevokeKey, RotateKeyForm } from "@/components/nhi/nhi-actions";
import { userEmails } from "@/lib/console/agent-detail";
import { LIMIT, nhiInventory, type NhiAgent, type NhiKey } from "@/lib/console/nhi-inventory";

export const metadata = { title: "NHI inventory" };

const KIND: Record<NhiKey["kind"], string> = { agent_key: "agent key", personal_token: "personal token", pep_key: "PEP key" };

function parseDays(v: string | string[] | undefined): number {
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isInteger(n) && n >= 1 && n <= 3650 ? n : 90;
}

function Section({ id, title, hint, count, children }: { id: string; title: string; hint: string; count: number; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`${id}-h`} className="space-y-2" data-testid={id} data-count={count}>
      <h2 id={`${id}-h`} className="text-base font-semibold">
        {title} <span className="ml-1 rounded bg-slate-100 px-2 py-0.5 text-sm font-normal text-slate-700">{count}</span>
      </h2>
      <p className="text-sm text-slate-700">{hint}</p>
      {count === 0 ? <p className="text-sm text-emerald-800">None.</p> : children}
      {count >= LIMIT && <p className="text-sm text-slate-600">Showing the first {LIMIT}.</p>}
    </section>
  );
}

const th = "px-3 py-2 font-medium";
const td = "px-3 py-2 align-top";

function AgentTable({ rows, action }: { rows: NhiAgent[]; action: (a: NhiAgent) => React.ReactNode }) {
  return (
    <div className="overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th className={th}>Agent</th>
            <th className={th}>Owner</th>
            <th className={th}>Last seen</th>
            <th className={th}>Fix</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.name} className="border-t border-slate-100" data-agent={a.name}>
              <td className={td}>
                <Link className="text-indigo-700 underline" href={`/agents/${encodeURIComponent(a.name)}`}>
                  {a.name}
                </Link>
              </td>
              <td className={td}>{a.owner ?? "—"}</td>
              <td className={td}>
                <TimeAgo at={a.lastSeenAt} />
              </td>
              <td className={td}>{action(a)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function KeyList({ rows, action }: { rows: NhiKey[]; action: (k: NhiKey) => React.ReactNode }) {
  return (
    <div className="overflow-x-auto rounded border border-slate-200 bg-white">
      <table className="min-w-full text-sm">
        <thead className="bg-slate-50 text-left text-slate-700">
          <tr>
            <th className={th}>Key id</th>
            <th className={th}>Kind</th>
            <th className={th}>Of</th>
            <th className={th}>Created</th>
            <th className={th}>Expires</th>
            <th className={th}>Last used</th>
            <th className={th}>Fix</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((k) => (
            <tr key={k.keyId} className="border-t border-slate-100" data-key-id={k.keyId}>
              <td className={`${td} font-mono text-xs`}>{k.keyId}</td>
              <td className={td}>{KIND[k.kind]}</td>
              <td className={td}>
                {k.kind === "agent_key" ? (
                  <Link className="text-indigo-700 underline" href={`/agents/${encodeURIComponent(k.owner)}`}>
                    {k.owner}
                  </Link>
                ) : (
                  k.owner
                )}
              </td>
              <td className={td}>
                <TimeAgo at={k.createdAt} />
              </td>
              <td className={td}>
                <TimeAgo at={k.expiresAt} empty="never" />
              </td>
              <td className={td}>
                <TimeAgo at={k.lastUsedAt} />
                {k.lastUsedFrom && <span className="block text-xs text-slate-600">from {k.lastUsedFrom}</span>}
              </td>
              <td className={td}>{action(k)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function NhiPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const admin = user.role === "admin";
  const days = parseDays((await searchParams).days);
  const [inv, owners] = await Promise.all([nhiInventory(days), admin ? userEmails() : Promise.resolve([])]);
  /** The fix for a key: rotate (agent and PEP keys); a personal token is its owner's to rotate on Account. */
  const keyFix = (k: NhiKey, revoke = false) =>
    k.kind === "personal_token" ? (
      <span className="text-slate-700">its owner creates a new one and revokes this on Account</span>
    ) : admin ? (
      <div className="space-y-1">
        <RotateKeyForm keyId={k.keyId} kind={k.kind} />
        {revoke && <RevokeKey keyId={k.keyId} kind={k.kind} owner={k.owner} />}
      </div>
    ) : (
      <span className="text-slate-700">an admin rotates it</span>
    );
  const ownerFix = (a: NhiAgent) => (admin ? <AssignOwner agent={a.name} owners={owners} /> : <span className="text-slate-700">an admin assigns one</span>);
  return (
    <article className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-xl font-semibold">NHI inventory</h1>
        <p className="text-sm text-slate-700">
          Non-human identities and their static credentials that need attention. &quot;Old&quot; and &quot;unused&quot; mean {days} days (
          <Link className="text-indigo-700 underline" href="/nhi?days=30">
            30
          </Link>{" "}
          ·{" "}
          <Link className="text-indigo-700 underline" href="/nhi?days=90">
            90
          </Link>{" "}
          ·{" "}
          <Link className="text-indigo-700 underline" href="/nhi?days=180">
            180
          </Link>
          ). Last use is recorded at most once a minute per key.
        </p>
      </header>
      <Section
        id="nhi-leaks"
        title="Keys revoked on leak reports (30 days)"
        hint="Reported through POST /api/v1/keys/report-leak; already revoked."
        count={inv.leaks.length}
      >
        <ul className="list-disc space-y-1 pl-6 text-sm" role="list">
          {inv.leaks.map((l) => (
            <li key={`${l.keyId}-${l.at}`} role="alert" className="text-red-900">
              <span className="font-mono text-xs">{l.keyId}</span> ({l.kind} of {l.owner}) revoked <TimeAgo at={l.at} />, reported by {l.reporter}
              {l.url ? ` — found at ${l.url}` : ""}.{" "}
              <Link className="text-indigo-700 underline" href={`/audit?q=${encodeURIComponent(l.keyId)}`}>
                Audit
              </Link>
            </li>
          ))}
        </ul>
      </Section>
      <Section id="nhi-no-owner" title="Agents without an owner" hint="Nobody answers for these agents." count={inv.noOwner.length}>
        <AgentTable rows={inv.noOwner} action={ownerFix} />
      </Section>
      <Section id="nhi-disabled-owner" title="Agents whose owner has left" hint="Their owner is a disabled user." count={inv.disabledOwner.length}>
        <AgentTable rows={inv.disabledOwner} action={ownerFix} />
      </Section>
      <Section
        id="nhi-federable"
        title="Static keys on agents that can federate"
        hint="These agents have workload identity trust rules: they need no static key."
        count={inv.federable.length}
      >
        <KeyList
          rows={inv.federable}
          action={(k) => (admin ? <MakeFederatedOnly agent={k.owner} /> : <span className="text-slate-700">an admin makes the agent federated-only</span>)}
        />
      </Section>
      <Section
        id="nhi-never-expiring"
        title="Keys that never expire"
        hint="Made before every key had to expire; rotate them to get an expiring key."
        count={inv.neverExpiring.length}
      >
        <KeyList rows={inv.neverExpiring} action={(k) => keyFix(k)} />
      </Section>
      <Section
        id="nhi-expiring"
        title={`Keys expiring within ${inv.nearExpiryDays} days`}
        hint="Rotate before they expire: both keys work during the overlap."
        count={inv.expiringKeys.length}
      >
        <KeyList rows={inv.expiringKeys} action={(k) => keyFix(k)} />
      </Section>
      <Section id="nhi-old-keys" title={`Keys older than ${days} days`} hint="Rotate long-lived keys." count={inv.oldKeys.length}>
        <KeyList rows={inv.oldKeys} action={(k) => keyFix(k)} />
      </Section>
      <Section id="nhi-unused-keys" title={`Keys unused for ${days} days`} hint="A key nobody uses is only a risk: revoke it." count={inv.unusedKeys.length}>
        <KeyList rows={inv.unusedKeys} action={(k) => keyFix(k, true)} />
      </Section>
      <Section id="nhi-unused-agents" title={`Agents unused for ${days} days`} hint="Suspend or retire agents nobody runs." count={inv.unusedAgents.length}>
        <AgentTable
          rows={inv.unusedAgents}
          action={(a) => (
            <Link className="text-indigo-700 underline" href={`/agents/${encodeURIComponent(a.name)}#suspend-h`}>
              Suspend {a.name}
            </Link>
          )}
        />
      </Section>
    </article>
  );
}
