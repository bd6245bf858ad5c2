-- Hand-written: mandate_commit() touches a handful of rows per batch, always by primary key. Its input
-- comes from jsonb_to_recordset(), which the planner estimates at 100 rows, and a young deployment's
-- table statistics are small or stale; together they made the cached plan of the session update a
-- hash join over a sequential scan of all sessions, so every batch cost O(sessions). Keyed lookups
-- (nested loop over the primary key) are the right plan at every table size, so the function pins them.
ALTER FUNCTION mandate_commit(jsonb) SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
