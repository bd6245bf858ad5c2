"use client";

/**
 * Decisions over time, stacked by outcome. Click a bar segment to open those decisions in the audit
 * explorer. The SVG is a picture for pointer users (recharts' keyboard layer is off: nothing focusable
 * inside role="img"); keyboard and screen-reader users get the same drill-downs as links in the data table.
 */
import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Legend, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DecisionsOverTime } from "@/lib/analytics/prepare-dashboard";
import { useDragZoom, ZoomBar } from "./drag-zoom";

/**
 * With `zoom` (the dashboard): drag across the bars to zoom the page's range to them (the URL's
 * `from`/`to`, see components/time/range-picker.tsx); "Reset zoom" returns to the page's default range.
 */
export function DecisionsChart({ data, zoom }: { data: DecisionsOverTime; zoom?: { fallback: string; zoomed: boolean } }) {
  const router = useRouter();
  const z = useDragZoom(data.points, data.bucketMs, zoom?.fallback ?? "");
  const drag = zoom ? z.handlers : {};
  return (
    <div>
      {zoom && <ZoomBar zoomed={zoom.zoomed} fallback={zoom.fallback} />}
      <div
        className="h-64"
        role="img"
        aria-label={`Decisions over time: ${data.series.map((s) => `${s.total} ${s.label.toLowerCase()}`).join(", ")}. The table below lists every interval with links.`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={data.points} margin={{ top: 4, right: 8, bottom: 4, left: 0 }} {...drag}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--color-slate-200)" />
            <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} interval="preserveStartEnd" minTickGap={16} />
            <YAxis tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} allowDecimals={false} width={44} />
            <Tooltip />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {data.series.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="outcome"
                fill={s.color}
                cursor="pointer"
                isAnimationActive={false}
                onClick={(entry) => {
                  if (z.wasDrag()) return;
                  const p = (entry as unknown as { payload?: { hrefs?: Record<string, string> } }).payload;
                  if (p?.hrefs) router.push(p.hrefs[s.key]);
                }}
              />
            ))}
            {z.area && <ReferenceArea x1={data.points[z.area[0]]?.label} x2={data.points[z.area[1]]?.label} fill="#6366f1" fillOpacity={0.2} />}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-slate-800">Data table ({data.points.length} intervals, UTC)</summary>
        <table className="mt-1 w-full text-xs">
          <thead>
            <tr className="text-left text-slate-700">
              <th className="py-1">Interval</th>
              {data.series.map((s) => (
                <th key={s.key}>{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.points
              .filter((p) => p.total > 0)
              .map((p) => (
                <tr key={p.t} className="border-t border-slate-100">
                  <td className="py-1 font-mono">{p.label}</td>
                  {data.series.map((s) => (
                    <td key={s.key}>
                      <a className="underline" href={p.hrefs[s.key]}>
                        {p[s.key]}
                      </a>
                    </td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
