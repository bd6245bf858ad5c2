import { decodeSegment } from "@/lib/analytics/links";
import { notFound } from "next/navigation";
import { requireUser } from "@/app/auth";
import { AuditTable } from "@/components/audit/audit-table";
import { SessionHeader } from "@/components/sessions/session-header";
import { auditFilterOptions, getAuditEntry, listAuditEntries } from "@/lib/audit/queries";
import { auditTableDefinition, parseEntryParam, toAuditFilters } from "@/lib/audit/queries-filters";
import { parseTableState, type SearchParams } from "@/lib/console/table/definition";
import { loadSession } from "../load-session";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Audit entries of session ${decodeSegment((await params).id)}` };
}

/**
 * The session's "Audit entries" tab: the audit explorer's table and drawer, always filtered to this
 * session (its other filters, search and paging work as on /audit).
 */
export default async function SessionAuditPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  const user = await requireUser();
  const id = decodeSegment((await params).id);
  const session = await loadSession(id);
  if (!session) notFound();
  const sp: SearchParams = { ...(await searchParams), session: id };
  const definition = auditTableDefinition({ ...(await auditFilterOptions()), sp });
  const state = parseTableState(definition, sp);
  const filters = { ...toAuditFilters(state), session: id };
  const entry = parseEntryParam(sp.entry);
  const [page, focus] = await Promise.all([
    listAuditEntries(filters, { cursor: state.cursor, asc: state.sort.dir === "asc", limit: definition.pageSize }),
    entry ? getAuditEntry(entry.chain, entry.seq) : null,
  ]);
  return (
    <div className="space-y-4">
      <SessionHeader s={session} tab="audit" />
      <section aria-label="Audit entries of this session">
        <AuditTable definition={definition} state={state} page={page} focus={focus} canCreateTest={user.role !== "viewer"} />
      </section>
    </div>
  );
}
