/** Small presentational pieces of the session pages (text always states the value; colour only reinforces it). */

export function LabelChips({ labels, added = [] }: { labels: string[]; added?: string[] }) {
  if (!labels.length) return <span className="text-xs text-slate-600">no data labels</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {labels.map((l) => (
        <span
          key={l}
          className={`rounded px-1.5 py-0.5 text-xs font-medium ${added.includes(l) ? "bg-violet-700 text-white" : "bg-violet-100 text-violet-900"}`}
          title={added.includes(l) ? "added by this step" : undefined}
        >
          {l}
          {added.includes(l) ? " +" : ""}
        </span>
      ))}
    </span>
  );
}

export function SessionStatus({ status }: { status: string }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${status === "terminated" ? "bg-slate-800 text-white" : "bg-sky-100 text-sky-900"}`}>
      {status}
    </span>
  );
}

export function Initiator({ initiator, verified }: { initiator: string | null; verified: boolean }) {
  if (!initiator) return <span className="text-slate-600">unknown</span>;
  return (
    <span>
      {initiator}{" "}
      <span
        className={`text-xs ${verified ? "text-emerald-800" : "text-amber-800"}`}
        title={verified ? "from a verified delegation token" : "asserted by the agent, not verified"}
      >
        {verified ? "✓ verified" : "(asserted)"}
      </span>
    </span>
  );
}

/** A session's risk score (lib/sessions/risk.ts); the tooltip and the screen-reader text give its parts. */
export function RiskBadge({ risk }: { risk: { score: number; explain: string } }) {
  const tone =
    risk.score >= 50
      ? "bg-red-700 text-white"
      : risk.score >= 20
        ? "bg-orange-100 text-orange-900"
        : risk.score > 0
          ? "bg-amber-50 text-amber-900"
          : "text-slate-600";
  return (
    <span
      className={`inline-block min-w-8 rounded px-1.5 py-0.5 text-center text-xs font-semibold tabular-nums ${tone}`}
      title={risk.explain}
      data-testid="risk-score"
    >
      {risk.score}
      <span className="sr-only"> ({risk.explain})</span>
    </span>
  );
}
