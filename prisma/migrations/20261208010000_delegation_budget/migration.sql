-- Hand-written: delegation call budgets (issue 15 §3, docs/delegation.md "Call budget").
-- delegations.max_calls: the budget the token carries (claim max_calls), NULL for none. The calls spent are
-- counted in the session's counters (sessions.counters -> 'd' -> <delegation id>), which the decision
-- commit (mandate_commit) writes under its step-count check: exact on any number of nodes. The function is
-- unchanged.
ALTER TABLE "delegations" ADD COLUMN "max_calls" INTEGER;
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_max_calls_positive" CHECK ("max_calls" IS NULL OR "max_calls" > 0);
