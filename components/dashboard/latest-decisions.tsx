import { Timestamp } from "@/components/time/timestamp";
import Link from "next/link";
import type { DecisionRow } from "@/lib/audit/recent-decisions";
import { OutcomeBadge } from "@/components/shell/outcome-badge";

export function LatestDecisions({ decisions }: { decisions: DecisionRow[] }) {
  if (!decisions.length) {
    return (
      <p className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-700">
        No decisions yet. Put an agent behind the gateway (<code>npx mandate-gateway</code>) or load a realistic history with <code>npm run seed:history</code>.
      </p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm" data-testid="latest-decisions">
        <caption className="sr-only">Latest decisions</caption>
        <thead className="text-left text-slate-700">
          <tr>
            {["Time (UTC)", "Agent", "Tool", "Outcome", "Reason", "Session · step"].map((h) => (
              <th key={h} scope="col" className="px-2 py-1 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <tr key={d.decisionId} className="border-t border-slate-100">
              <td className="whitespace-nowrap px-2 py-1 font-mono text-xs text-slate-700">
                <Timestamp at={d.createdAt} relative />
              </td>
              <td className="px-2 py-1">{d.agent}</td>
              <td className="px-2 py-1 font-mono text-xs">{d.tool}</td>
              <td className="px-2 py-1">
                <OutcomeBadge outcome={d.outcome} />
              </td>
              <td className="px-2 py-1 text-xs text-slate-700">{d.reasons[0]?.policy}</td>
              <td className="px-2 py-1 font-mono text-xs">
                <Link className="text-indigo-800 underline" href={`/sessions/${encodeURIComponent(d.sessionId)}`}>
                  {d.sessionId}
                </Link>{" "}
                · {d.step ?? (d.sessionId ? "foreign attempt" : "")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
