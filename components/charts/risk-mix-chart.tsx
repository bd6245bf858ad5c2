"use client";

/** The risk mix of the tools called (a donut); each slice and legend row opens those calls in the audit explorer. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Cell, Pie, PieChart, ResponsiveContainer, Tooltip } from "recharts";
import type { RiskSlice } from "@/lib/analytics/prepare-dashboard";

export function RiskMixChart({ slices }: { slices: RiskSlice[] }) {
  const router = useRouter();
  return (
    <div className="grid grid-cols-[10rem_1fr] items-center gap-3">
      <div className="h-40" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <PieChart accessibilityLayer={false}>
            <Pie
              data={slices}
              dataKey="count"
              nameKey="label"
              innerRadius="55%"
              outerRadius="95%"
              isAnimationActive={false}
              cursor="pointer"
              onClick={(s) => {
                const href = (s as unknown as { payload?: RiskSlice }).payload?.href;
                if (href) router.push(href);
              }}
            >
              {slices.map((s) => (
                <Cell key={s.risk} fill={s.color} />
              ))}
            </Pie>
            <Tooltip />
          </PieChart>
        </ResponsiveContainer>
      </div>
      <ul className="space-y-1 text-sm">
        {slices.map((s) => (
          <li key={s.risk} className="flex items-center gap-2">
            <span className="inline-block h-3 w-3 rounded-sm" style={{ background: s.color }} aria-hidden />
            <Link href={s.href} className="text-indigo-800 underline" title={s.tools.join(", ")}>
              {s.label}
            </Link>
            <span className="ml-auto tabular-nums text-slate-700">
              {s.count.toLocaleString("en")} · {(s.share * 100).toFixed(0)}%
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
