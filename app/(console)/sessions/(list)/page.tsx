import { requireUser } from "@/app/auth";
import { SessionsTable } from "@/components/sessions/sessions-table";
import { PageViews } from "@/components/views/page-views";
import { TimeToolbar } from "@/components/time/time-toolbar";
import { applyTableRange } from "@/lib/console/range-params";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";
import { withFacetCounts } from "@/lib/console/table/facets";
import { sessionFacets } from "@/lib/sessions/facets";
import { listSessions, sessionFilterOptions } from "@/lib/sessions/queries";
import { sessionsTableDefinition } from "@/lib/sessions/queries-filters";

export const metadata = { title: "Sessions" };

export default async function SessionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const sp = await searchParams;
  const definition = sessionsTableDefinition({ ...(await sessionFilterOptions()), sp });
  const state = parseTableState(definition, sp);
  const now = new Date();
  const ranged = applyTableRange(definition, state, now.getTime());
  const [page, facets] = await Promise.all([listSessions(ranged.state, definition.pageSize, now.getTime()), sessionFacets(ranged.state, now.getTime())]);
  return (
    <section aria-labelledby="sessions-h" className="space-y-4">
      <div>
        <h1 id="sessions-h" className="text-xl font-semibold">
          Sessions
        </h1>
        <p className="text-sm text-slate-700">
          What each agent did, on whose behalf, and what was stopped. Open a session for its step-by-step timeline and delegation graph.
        </p>
      </div>
      <TimeToolbar range={ranged.range!} fallback="all" label="Active in" updatedAt={now}>
        <PageViews userId={user.id} page="sessions" view={sp.view} />
      </TimeToolbar>
      <SessionsTable definition={withFacetCounts(definition, facets)} state={state} page={page} />
    </section>
  );
}
