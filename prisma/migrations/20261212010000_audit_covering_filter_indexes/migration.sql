-- The audit explorer combines filters (agent, tool, outcome, kind, approver) and pages newest first.
-- With one index per filter, a combination that matches few rows (an agent's denies on one tool) made
-- PostgreSQL walk one filter's index and fetch every heap row to test the others: 0.5–2 s on 1,000,000
-- decisions when nothing matched. Each filter's index now carries the other filters' columns and the
-- row's key, so the explorer's key query (lib/audit/queries.ts: keys first, rows by key after) tests
-- every filter inside the index (an index-only scan) and reads the heap for the page's rows only.
-- The approver filter (kind = 'approval' AND actor = …) gets a partial index over the entries people
-- and the system make: decisions and outcomes (99 % of the log) are not in it and pay nothing for it.
DROP INDEX IF EXISTS audit_entries_agent_id_created_at_idx;
CREATE INDEX audit_entries_agent_id_created_at_idx ON audit_entries (agent_id, created_at DESC) INCLUDE (kind, outcome, tool, chain_id, seq);
DROP INDEX IF EXISTS audit_entries_tool_created_at_idx;
CREATE INDEX audit_entries_tool_created_at_idx ON audit_entries (tool, created_at DESC) INCLUDE (kind, outcome, agent_id, chain_id, seq);
DROP INDEX IF EXISTS audit_entries_outcome_created_at_idx;
CREATE INDEX audit_entries_outcome_created_at_idx ON audit_entries (outcome, created_at DESC) INCLUDE (kind, agent_id, tool, chain_id, seq);
DROP INDEX IF EXISTS audit_entries_kind_created_at_idx;
CREATE INDEX audit_entries_kind_created_at_idx ON audit_entries (kind, created_at DESC) INCLUDE (outcome, tool, agent_id, chain_id, seq);
CREATE INDEX audit_entries_actor_created_at_idx ON audit_entries (actor, created_at DESC) INCLUDE (kind, chain_id, seq) WHERE kind NOT IN ('decision', 'outcome');
