-- The audit explorer's session filter (and the session page's "Audit entries" tab) reads a session's
-- entries newest first. With audit_entries partitioned by month, the only ordered path was each
-- partition's created_at index filtered by session: a Merge Append has to pull a first row from every
-- partition, so a month holding none of the session's entries was read to its end (200,000 entries:
-- ~500 ms). With (session_id, created_at) every partition answers from the index at once, like the
-- agent, tool, outcome and kind filters already do.
CREATE INDEX "audit_entries_session_id_created_at_idx" ON "audit_entries"("session_id", "created_at" DESC);
