import { requireUser } from "@/app/auth";
import { AuditTable } from "@/components/audit/audit-table";
import { Checkpoints } from "@/components/audit/checkpoints";
import { ExportLinks } from "@/components/audit/export-links";
import { VerifyPanel } from "@/components/audit/verify-panel";
import { readLastVerify } from "@/lib/audit/last-verify";
import { auditFacets } from "@/lib/audit/facets";
import { auditFilterOptions, getAuditEntry, listAuditEntries } from "@/lib/audit/queries";
import { withFacetCounts } from "@/lib/console/table/facets";
import { auditTableDefinition, parseEntryParam, toAuditFilters } from "@/lib/audit/queries-filters";
import { listChains, listCheckpoints } from "@/lib/audit/queries-checkpoints";
import { auditArchiveDir } from "@/lib/audit/archive-format";
import { liveLogReach } from "@/lib/audit/partitions";
import { env } from "@/lib/env";
import { PageViews } from "@/components/views/page-views";
import { TimeToolbar } from "@/components/time/time-toolbar";
import { applyTableRange } from "@/lib/console/range-params";
import { parseTableState, tableStateToParams, type SearchParams } from "@/lib/console/table/definition";

export const metadata = { title: "Audit" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const sp = await searchParams;
  const definition = auditTableDefinition({ ...(await auditFilterOptions()), sp });
  const state = parseTableState(definition, sp);
  const now = new Date();
  const ranged = applyTableRange(definition, state, now.getTime());
  const filters = toAuditFilters(ranged.state, now.getTime());
  const entry = parseEntryParam(sp.entry);
  const [page, facets, checkpoints, chains, focus, reach, lastVerify] = await Promise.all([
    listAuditEntries(filters, { cursor: state.cursor, asc: state.sort.dir === "asc", limit: definition.pageSize }),
    auditFacets(filters),
    listCheckpoints(5),
    listChains(),
    entry ? getAuditEntry(entry.chain, entry.seq) : null,
    liveLogReach(auditArchiveDir(env().dataDir)),
    readLastVerify(),
  ]);
  const entries = chains.reduce((s, c) => s + c.headSeq, 0);
  return (
    <div className="space-y-4">
      <section aria-labelledby="audit-h" className="space-y-3">
        <div>
          <h1 id="audit-h" className="text-xl font-semibold">
            Audit log
          </h1>
          <p className="text-sm text-slate-700">
            Every decision, outcome event, approval, delegation and admin action, newest first, hash-chained and append-only.
          </p>
          <p className="text-sm text-slate-700" data-testid="live-log-reach">
            {reach.from ? `Live log from ${reach.from.toISOString().slice(0, 10)}` : "The live log is empty"}
            {reach.archives
              ? `; earlier entries archived in ${reach.archives} file${reach.archives === 1 ? "" : "s"} (from ${reach.archivedFrom?.slice(0, 10)}).`
              : "; nothing archived."}
          </p>
        </div>
        <TimeToolbar range={ranged.range!} fallback="all" label="Written in" updatedAt={now}>
          <PageViews userId={user.id} page="audit" view={sp.view} />
        </TimeToolbar>
        <ExportLinks query={tableStateToParams(definition, { ...state, cursor: null }).toString()} />
        <AuditTable definition={withFacetCounts(definition, facets)} state={state} page={page} focus={focus} canCreateTest={user.role !== "viewer"} />
      </section>
      <div className="grid gap-4 lg:grid-cols-2">
        <VerifyPanel canVerify={user.role !== "viewer"} entries={entries} last={lastVerify} />
        <Checkpoints checkpoints={checkpoints} chains={chains} canWrite={user.role === "admin"} lastVerify={lastVerify} />
      </div>
    </div>
  );
}
