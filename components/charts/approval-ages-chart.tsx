"use client";

/** Pending approvals by how long they have waited; any bar opens the approvals queue. */
import { useRouter } from "next/navigation";
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ApprovalAges } from "@/lib/analytics/prepare-dashboard";

export function ApprovalAgesChart({ ages }: { ages: ApprovalAges }) {
  const router = useRouter();
  return (
    <div className="h-32" role="img" aria-label={`Pending approvals by age: ${ages.buckets.map((b) => `${b.count} waiting ${b.label}`).join(", ")}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart accessibilityLayer={false} data={ages.buckets} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} />
          <YAxis allowDecimals={false} width={28} tick={{ fontSize: 11, fill: "var(--color-slate-700)" }} />
          <Tooltip />
          <Bar dataKey="count" name="waiting" cursor="pointer" isAnimationActive={false} onClick={() => router.push("/approvals")}>
            {ages.buckets.map((b) => (
              <Cell key={b.label} fill={b.color} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
