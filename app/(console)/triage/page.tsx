import Link from "next/link";
import { requireUser } from "@/app/auth";
import { SessionsTable } from "@/components/sessions/sessions-table";
import { TimeToolbar } from "@/components/time/time-toolbar";
import { applyTableRange } from "@/lib/console/range-params";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";
import { listNeedsMe, sessionFilterOptions } from "@/lib/sessions/queries";
import { needsMeTableDefinition } from "@/lib/sessions/queries-filters";
import { RISK } from "@/lib/sessions/risk";

export const metadata = { title: "Needs me now" };

export default async function NeedsMePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireUser();
  const sp = await searchParams;
  const definition = needsMeTableDefinition({ ...(await sessionFilterOptions()), sp });
  const state = parseTableState(definition, sp);
  const now = new Date();
  const ranged = applyTableRange(definition, state, now.getTime());
  const page = await listNeedsMe(ranged.state, definition.pageSize, now.getTime());
  return (
    <section aria-labelledby="needs-me-h" className="space-y-4">
      <div>
        <h1 id="needs-me-h" className="text-xl font-semibold">
          Needs me now
        </h1>
        <p className="text-sm text-slate-700">
          Active sessions with any risk, riskiest first: denies, deny rate, approvals, dangerous label combinations, risky tools and delegation depth, halving
          every {RISK.halfLifeHours} hours without activity (sessions idle for {RISK.horizonDays} days are left out). Hover a score for its parts;{" "}
          <Link href="/sessions?sort=risk&dir=desc" className="text-indigo-800 underline">
            all sessions by risk
          </Link>
          .
        </p>
      </div>
      <TimeToolbar range={ranged.range!} fallback="all" label="Active in" updatedAt={now} />
      <SessionsTable
        definition={definition}
        state={state}
        page={page}
        empty={<p>Nothing needs you: no active session has a deny, an approval, a dangerous label combination, a risky tool or a delegation.</p>}
      />
    </section>
  );
}
