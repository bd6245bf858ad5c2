import { Timestamp } from "@/components/time/timestamp";
import type { DelegationRow } from "@/lib/sessions/queries-timeline";
import type { SessionDetail } from "@/lib/sessions/queries";
import { ConfirmAction } from "@/components/forms/confirm-action";

/** On whose authority the session ran: the human, then each delegation hop with its scopes and expiry. */
/** `now`: the time expiry is judged at (the page reads the clock once per request). `canRevoke`: admins and analysts. */
export function DelegationChain({
  session,
  delegations,
  now,
  canRevoke = false,
}: {
  session: SessionDetail;
  delegations: DelegationRow[];
  now: number;
  canRevoke?: boolean;
}) {
  const children = new Map<string | null, DelegationRow[]>();
  for (const d of delegations) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d]);
  const roots = delegations.filter((d) => !d.parentId || !delegations.some((p) => p.id === d.parentId));
  const hop = (d: DelegationRow): React.ReactNode => {
    const expired = Date.parse(d.expiresAt) <= now;
    return (
      <li key={d.id} className="mt-2 border-l-2 border-indigo-200 pl-3">
        <p className="font-medium">
          → {d.agentName} <span className="text-xs font-normal text-slate-600">depth {d.depth}</span>
        </p>
        <p className="text-xs text-slate-700">
          scopes: <span className="font-mono">{d.scopes.join(" ") || "none"}</span>
        </p>
        {d.maxCalls !== null && (
          <p className="text-xs text-slate-700" data-testid="delegation-budget">
            call budget: {Math.max(0, d.maxCalls - (d.callsUsed ?? 0))} of {d.maxCalls} calls left
          </p>
        )}
        <p className={`text-xs ${d.revokedAt || expired ? "text-red-800" : "text-slate-700"}`}>
          {d.revokedAt ? "revoked" : expired ? "expired" : "expires"} <Timestamp at={d.revokedAt ?? d.expiresAt} /> · granted by {d.createdBy}
        </p>
        {canRevoke && !d.revokedAt && !expired && (
          <div className="mt-1" data-testid="revoke-delegation" data-delegation={d.id}>
            <ConfirmAction
              label="Revoke"
              title={`Revoke ${d.agentName}'s delegation?`}
              details={<p>Its token, and every token delegated from it, is refused from the next request on every node.</p>}
              confirmLabel="Revoke delegation"
              path={`/api/v1/delegations/${d.id}/revoke`}
            />
          </div>
        )}
        {(children.get(d.id) ?? []).length > 0 && <ul>{children.get(d.id)!.map(hop)}</ul>}
      </li>
    );
  };
  return (
    <section aria-labelledby="chain-h" className="rounded border border-slate-200 bg-white p-4 text-sm" data-testid="delegation-chain">
      <h2 id="chain-h" className="font-semibold">
        On whose authority
      </h2>
      <p className="mt-2">
        <span className="font-medium">{session.initiator ?? "unknown human"}</span>{" "}
        <span className="text-xs text-slate-600">{session.initiatorVerified ? "(verified by a delegation token)" : "(asserted by the agent)"}</span>
      </p>
      {roots.length ? (
        <ul>{roots.map(hop)}</ul>
      ) : (
        <p className="mt-2 text-slate-700">
          → <span className="font-medium">{session.agentName}</span> with its own API key. No delegation was granted for this session, so no scope limited it
          beyond policy.
        </p>
      )}
    </section>
  );
}
