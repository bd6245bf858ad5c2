import type { WhoCanCall } from "@/lib/console/tool-detail";

const VERDICT: Record<string, { label: string; cls: string }> = {
  allowed: { label: "allowed", cls: "bg-emerald-100 text-emerald-900" },
  approval: { label: "needs approval", cls: "bg-amber-100 text-amber-900" },
  conditional: { label: "conditional", cls: "bg-sky-100 text-sky-900" },
  denied: { label: "denied", cls: "bg-red-100 text-red-900" },
};

export function WhoCanCallPanel({ data }: { data: WhoCanCall }) {
  if (!data.policyVersion) return <p className="text-sm text-slate-700">No policy version is active: every call is denied. Publish one under Policies.</p>;
  if (!data.access.length) return <p className="text-sm text-slate-700">No agents are registered yet. Register one under Agents.</p>;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700">
        Under the active policy <span className="font-mono">{data.policyVersion}</span>, for any arguments, session and delegation. <strong>Conditional</strong>{" "}
        means the answer depends on those: the conditions are listed.
        {data.hypothetical && (
          <>
            {" "}
            This tool is not approved, so today nobody can call it; the answers below are what would hold once it is approved as{" "}
            <strong>
              {data.hypothetical.effect}/{data.hypothetical.risk}
            </strong>
            {data.hypothetical.labels.length ? ` [${data.hypothetical.labels.join(", ")}]` : ""}.
          </>
        )}
      </p>
      <ul className="divide-y divide-slate-100 rounded border border-slate-200 bg-white" data-testid="who-can-call">
        {data.access.map((a) => (
          <li key={a.agent} className="px-3 py-2 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-medium">{a.agent}</span>
              {a.team && <span className="text-xs text-slate-600">team {a.team}</span>}
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${VERDICT[a.verdict].cls}`} data-verdict={a.verdict}>
                {VERDICT[a.verdict].label}
                {a.approvalGated ? " · after approval" : ""}
              </span>
              {a.reasons.length > 0 && <span className="text-slate-700">{a.reasons.map((r) => r.message).join("; ")}</span>}
            </div>
            {a.conditions.length > 0 && (
              <ul className="mt-1 list-disc pl-6 text-slate-700">
                {a.conditions.map((c) => (
                  <li key={c.policy}>
                    {c.effect === "forbid" ? "denied when" : "allowed when"}: {c.message}{" "}
                    <span className="text-xs text-slate-600">
                      ({c.policy}; depends on {c.dependsOn.join(", ") || "the request"})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
