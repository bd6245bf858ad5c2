/** Badges for tool status, effect, risk and labels (text always says the value; colour only reinforces it). */

const STATUS: Record<string, string> = {
  pending: "bg-amber-100 text-amber-900 ring-amber-300",
  approved: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  rejected: "bg-slate-200 text-slate-800 ring-slate-300",
  blocked: "bg-red-100 text-red-900 ring-red-300",
  changed: "bg-orange-100 text-orange-900 ring-orange-300",
};
const RISK: Record<string, string> = {
  low: "bg-slate-100 text-slate-800",
  medium: "bg-yellow-100 text-yellow-900",
  high: "bg-orange-100 text-orange-900",
  critical: "bg-red-100 text-red-900",
};

const base = "inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium";

export function StatusBadge({ status, blocked, changed }: { status: string; blocked?: boolean; changed?: boolean }) {
  return (
    <span className="inline-flex flex-wrap gap-1">
      <span className={`${base} ring-1 ${STATUS[status] ?? STATUS.rejected}`}>{status}</span>
      {blocked && <span className={`${base} ring-1 ${STATUS.blocked}`}>blocked</span>}
      {changed && (
        <span className={`${base} ring-1 ${STATUS.changed}`} title="The definition changed since it was approved">
          changed
        </span>
      )}
    </span>
  );
}

export function RiskBadge({ risk, suggested }: { risk: string | null; suggested?: boolean }) {
  if (!risk) return <span className="text-slate-500">—</span>;
  return (
    <span className={`${base} ${RISK[risk] ?? RISK.low} ${suggested ? "italic" : ""}`} title={suggested ? "suggested, not approved" : undefined}>
      {risk}
      {suggested ? "?" : ""}
    </span>
  );
}

export function EffectBadge({ effect, suggested }: { effect: string | null; suggested?: boolean }) {
  if (!effect) return <span className="text-slate-500">—</span>;
  return (
    <span className={`${base} bg-indigo-50 text-indigo-900 ${suggested ? "italic" : ""}`} title={suggested ? "suggested, not approved" : undefined}>
      {effect.replace("_", " ")}
      {suggested ? "?" : ""}
    </span>
  );
}

export function Labels({ labels }: { labels: string[] }) {
  if (!labels.length) return <span className="text-slate-500">—</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {labels.map((l) => (
        <span key={l} className={`${base} bg-sky-50 text-sky-900 ring-1 ring-sky-200`}>
          {l}
        </span>
      ))}
    </span>
  );
}

/** A resource (or family of resources) or a prompt in the inventory, told apart from tools. */
export function KindBadge({ kind }: { kind: "tool" | "resource" | "prompt" }) {
  return <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 align-middle font-sans text-xs font-normal text-slate-700">{kind}</span>;
}
