"use client";

/**
 * An agent's sessions opened (bars) and deny rate (line, right axis) per interval. A picture for pointer
 * users (role="img"); the same numbers are in the data table below it.
 */
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ActivityPoint } from "@/lib/analytics/prepare-agent-activity";
import { OUTCOME_COLORS } from "@/lib/analytics/palette";

export function AgentActivityChart({ points }: { points: ActivityPoint[] }) {
  const sessions = points.reduce((s, p) => s + p.sessions, 0);
  return (
    <div>
      <div className="h-56" role="img" aria-label={`Sessions opened (${sessions}) and deny rate per interval. The table below lists every interval.`}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart accessibilityLayer={false} data={points} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-slate-200)" />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} interval="preserveStartEnd" minTickGap={16} />
            <YAxis yAxisId="n" tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} allowDecimals={false} width={40} />
            <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} unit="%" tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} width={44} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Bar yAxisId="n" dataKey="sessions" name="Sessions opened" fill="var(--color-indigo-700)" isAnimationActive={false} />
            <Line
              yAxisId="rate"
              dataKey="denyRate"
              name="Deny rate %"
              stroke={OUTCOME_COLORS.deny}
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-slate-800">Data table ({points.length} intervals, UTC)</summary>
        <table className="mt-1 w-full text-xs" data-testid="agent-activity-table">
          <thead>
            <tr className="text-left text-slate-700">
              <th className="py-1">Interval</th>
              <th>Sessions opened</th>
              <th>Decisions</th>
              <th>Denied</th>
              <th>Deny rate</th>
            </tr>
          </thead>
          <tbody>
            {points
              .filter((p) => p.decisions > 0 || p.sessions > 0)
              .map((p) => (
                <tr key={p.t} className="border-t border-slate-100">
                  <td className="py-1 font-mono">{p.label}</td>
                  <td>{p.sessions}</td>
                  <td>{p.decisions}</td>
                  <td>{p.denies}</td>
                  <td>{p.denyRate === null ? "—" : `${p.denyRate}%`}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
