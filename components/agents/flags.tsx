import type { AgentFlag } from "@/lib/console/agents-list";

const LABEL: Record<AgentFlag, string> = {
  no_owner: "no owner",
  key_near_expiry: "key expiring soon",
  key_unused: "key unused 30d+",
  no_active_key: "no active key",
  suspended: "suspended",
};
const STYLE: Record<AgentFlag, string> = {
  no_owner: "bg-amber-100 text-amber-900",
  key_near_expiry: "bg-orange-100 text-orange-900",
  key_unused: "bg-slate-200 text-slate-800",
  no_active_key: "bg-slate-200 text-slate-800",
  suspended: "bg-red-100 text-red-900",
};

export function AgentFlags({ flags }: { flags: AgentFlag[] }) {
  if (!flags.length) return <span className="text-xs text-emerald-800">ok</span>;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {flags.map((f) => (
        <span key={f} data-flag={f} className={`rounded px-1.5 py-0.5 text-xs font-medium ${STYLE[f]}`}>
          {LABEL[f]}
        </span>
      ))}
    </span>
  );
}
