-- Hand-written: indexes of the analyst console's read side (bench/console-queries.ts measures them).
--
-- The dashboard groups a window of decisions by (time bucket, outcome, tool, agent). With those columns
-- INCLUDEd in the existing (kind, created_at) index the scan is index-only: 7 days of a 200,000-decision
-- history went from ~275 ms to ~70 ms. The index is replaced rather than added, so the decision path
-- still maintains the same number of indexes. The key columns (and so the @@index in schema.prisma) are
-- unchanged; Prisma's schema language has no INCLUDE.
DROP INDEX IF EXISTS "audit_entries_kind_created_at_idx";
CREATE INDEX "audit_entries_kind_created_at_idx" ON "audit_entries"("kind", "created_at" DESC) INCLUDE ("outcome", "tool", "agent_id");
