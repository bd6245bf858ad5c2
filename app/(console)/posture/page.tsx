import Link from "next/link";
import { requireUser } from "@/app/auth";
import { Timestamp } from "@/components/time/timestamp";
import { env } from "@/lib/env";
import { defaultNodeName } from "@/lib/runtime/runtime";
import type { CheckResult } from "@/lib/posture/checks";
import { buildReport } from "@/lib/posture/report";

export const metadata = { title: "Posture" };

const DAY = 86_400_000;
const COVERAGE = { full: "Provided", partial: "Partly provided", none: "Not provided by Mandate" } as const;
const STATUS_CLASS = { ok: "text-green-800", attention: "text-red-800", info: "text-slate-900" } as const;

function Check({ c }: { c: CheckResult }) {
  return (
    <li className="text-sm">
      <Link href={c.evidence} className="text-indigo-700 underline">
        {c.title}
      </Link>
      : <strong className={STATUS_CLASS[c.status]}>{c.value}</strong> <span className="text-slate-600">({c.kind === "range" ? "in the range" : "now"})</span>
      {c.status === "attention" && c.fix && <span className="block text-xs text-red-800">Fix: {c.fix}</span>}
    </li>
  );
}

/**
 * The posture report as a page: the same report as GET /api/v1/posture/report (frameworks mapped to
 * Mandate's controls with live checks), with the signed JSON and HTML exports one click away.
 */
export default async function PosturePage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  await requireUser(["admin", "analyst"]);
  const sp = await searchParams;
  const days = [7, 30, 90].includes(Number(sp.days)) ? Number(sp.days) : 30;
  const to = new Date();
  const report = await buildReport(env().MANDATE_NODE_NAME ?? defaultNodeName(env().PORT), { from: new Date(to.getTime() - days * DAY), to });
  const q = `from=${encodeURIComponent(report.range.from)}&to=${encodeURIComponent(report.range.to)}`;
  const attention = report.checks.filter((c) => c.status === "attention");
  return (
    <article className="space-y-6">
      <header className="space-y-2">
        <h1 className="text-xl font-semibold">Posture</h1>
        <p className="text-sm text-slate-700">
          OWASP Top 10 for Agentic Applications, OWASP Non-Human Identities Top 10 and NIST SP 800-207, mapped to what Mandate enforces here, with live checks.
          Generated <Timestamp at={report.generated_at} />; range figures cover the last {days} days.
        </p>
        <nav aria-label="Range and exports" className="flex flex-wrap items-center gap-3 text-sm">
          {[7, 30, 90].map((d) => (
            <Link
              key={d}
              href={`/posture?days=${d}`}
              aria-current={d === days ? "page" : undefined}
              className={d === days ? "font-semibold" : "text-indigo-700 underline"}
            >
              {d} days
            </Link>
          ))}
          <a className="text-indigo-700 underline" href={`/api/v1/posture/report?format=json&${q}`}>
            Signed JSON
          </a>
          <a className="text-indigo-700 underline" href={`/api/v1/posture/report?format=html&${q}`}>
            Signed HTML (print for PDF)
          </a>
        </nav>
      </header>
      <section aria-labelledby="attention-h" className="space-y-2">
        <h2 id="attention-h" className="text-base font-semibold">
          Needs attention ({attention.length})
        </h2>
        {attention.length ? (
          <ul className="list-disc space-y-1 pl-5">
            {attention.map((c) => (
              <Check key={c.id} c={c} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-700">Nothing: every check with a target meets it.</p>
        )}
      </section>
      {report.frameworks.map((f) => (
        <section key={f.id} aria-labelledby={`fw-${f.id}`} className="space-y-2">
          <h2 id={`fw-${f.id}`} className="text-base font-semibold">
            {f.name}
          </h2>
          <p className="text-xs text-slate-600">
            Version {f.version} ·{" "}
            <a href={f.source} className="underline">
              source
            </a>
          </p>
          <table className="w-full border-collapse text-left text-sm" data-testid={`posture-${f.id}`}>
            <thead>
              <tr className="border-b border-slate-300">
                <th className="p-2">Item</th>
                <th className="p-2">Coverage</th>
                <th className="p-2">How this deployment implements it</th>
                <th className="p-2">Live checks</th>
              </tr>
            </thead>
            <tbody>
              {f.items.map((i) => (
                <tr key={i.id} className="border-b border-slate-200 align-top">
                  <th scope="row" className="p-2 font-normal">
                    <span className="font-mono font-semibold">{i.id}</span> {i.title}
                  </th>
                  <td className={`p-2 ${i.coverage === "none" ? "font-semibold text-orange-800" : ""}`}>{COVERAGE[i.coverage]}</td>
                  <td className="p-2">
                    {i.controls.length > 0 && <p className="font-medium">{i.controls.join(" · ")}</p>}
                    <p className="text-slate-700">{i.implementation}</p>
                  </td>
                  <td className="p-2">
                    {i.checks.length ? (
                      <ul className="space-y-1">
                        {i.checks.map((c) => (
                          <Check key={c.id} c={c} />
                        ))}
                      </ul>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </article>
  );
}
