const STYLES: Record<string, string> = {
  allow: "bg-emerald-100 text-emerald-900",
  deny: "bg-red-100 text-red-900",
  require_approval: "bg-amber-100 text-amber-900",
  success: "bg-emerald-50 text-emerald-900",
  error: "bg-red-50 text-red-900",
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${STYLES[outcome] ?? "bg-slate-100 text-slate-800"}`}>
      {outcome === "require_approval" ? "approval" : outcome}
    </span>
  );
}
