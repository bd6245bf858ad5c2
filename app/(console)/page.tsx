import { requireUser } from "@/app/auth";
import { recentDecisions } from "@/lib/audit/recent-decisions";
import { OutcomeBadge } from "@/components/shell/outcome-badge";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  await requireUser();
  const decisions = await recentDecisions(50);
  return (
    <section aria-labelledby="latest">
      <h1 id="latest" className="text-xl font-semibold">Latest decisions</h1>
      {decisions.length === 0 ? (
        <p className="mt-4 rounded border border-dashed border-slate-300 bg-white p-6 text-slate-700">
          No decisions yet. Put an agent behind the gateway (<code>npx mandate-gateway</code>) or run <code>npm run demo:agent</code> to see traffic here.
        </p>
      ) : (
        <div className="mt-4 overflow-x-auto rounded border border-slate-200 bg-white">
          <table className="min-w-full text-sm" data-testid="latest-decisions">
            <thead className="bg-slate-50 text-left text-slate-700">
              <tr>
                <th className="px-3 py-2 font-medium">Time</th>
                <th className="px-3 py-2 font-medium">Agent</th>
                <th className="px-3 py-2 font-medium">Tool</th>
                <th className="px-3 py-2 font-medium">Outcome</th>
                <th className="px-3 py-2 font-medium">Reason</th>
                <th className="px-3 py-2 font-medium">Session · step</th>
              </tr>
            </thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.decisionId} className="border-t border-slate-100">
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600"><time dateTime={d.createdAt}>{d.createdAt.replace("T", " ").slice(0, 19)}</time></td>
                  <td className="px-3 py-2">{d.agent}</td>
                  <td className="px-3 py-2 font-mono text-xs">{d.tool}</td>
                  <td className="px-3 py-2"><OutcomeBadge outcome={d.outcome} /></td>
                  <td className="px-3 py-2 text-slate-700">{d.reasons[0]?.message ?? ""} <span className="text-xs text-slate-500">{d.reasons[0]?.policy}</span></td>
                  <td className="px-3 py-2 font-mono text-xs">{d.sessionId} · {d.step}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
