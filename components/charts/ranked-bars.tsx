"use client";

/** A ranked horizontal bar chart (top denied tools or agents); each bar and each row opens its filtered list. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RankedBar } from "@/lib/analytics/prepare-dashboard";

export function RankedBars({ bars, color, unit }: { bars: RankedBar[]; color: string; unit: string }) {
  const router = useRouter();
  return (
    <div>
      <div className="h-44" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={bars} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
            <XAxis type="number" hide allowDecimals={false} />
            <YAxis type="category" dataKey="label" width={150} tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} />
            <Tooltip formatter={(v) => [`${String(v)} ${unit}`, ""]} />
            <Bar
              dataKey="count"
              fill={color}
              cursor="pointer"
              isAnimationActive={false}
              onClick={(entry) => {
                const href = (entry as unknown as { payload?: RankedBar }).payload?.href;
                if (href) router.push(href);
              }}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ol className="mt-2 space-y-0.5 text-sm">
        {bars.map((b) => (
          <li key={b.key} className="flex justify-between gap-2">
            <Link href={b.href} className="truncate text-indigo-800 underline">
              {b.label}
            </Link>
            <span className="tabular-nums text-slate-700">
              {b.count} · {(b.share * 100).toFixed(0)}%
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
