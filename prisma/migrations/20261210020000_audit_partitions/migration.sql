-- Hand-written: audit_entries becomes a table partitioned by RANGE (created_at), one partition per UTC
-- month (audit_entries_pYYYYMM) plus a DEFAULT partition, so that `mandate audit archive` can seal a whole
-- month into a file and drop it (docs/audit-format.md, "Retention and archives").
--
-- Uniqueness of (chain_id, seq). PostgreSQL requires a partitioned table's unique constraints to include
-- the partition key, so the parent has none; instead EVERY partition has PRIMARY KEY (chain_id, seq)
-- (made by mandate_audit_partition() below, and on the default partition here). Across partitions a
-- second (chain_id, seq) cannot appear: a chain id is a random UUID appended to by one process only, on
-- one connection, one batch after the other, each entry at seq = head + 1 (lib/audit/chain.ts); and
-- `mandate audit verify` reports a second entry for a seq as a break. Lookups by (chain_id, seq) use each
-- partition's primary key; the other indexes are partitioned indexes on the parent, as before.
--
-- Existing rows move byte for byte: same columns, same types, same order; INSERT … SELECT copies the
-- values unchanged (hashes are computed over the values, not the storage).

ALTER TABLE "audit_entries" RENAME TO "audit_entries_unpartitioned";
ALTER TABLE "audit_entries_unpartitioned" RENAME CONSTRAINT "audit_entries_pkey" TO "audit_entries_unpartitioned_pkey";
ALTER INDEX "audit_entries_created_at_idx" RENAME TO "audit_entries_unpartitioned_created_at_idx";
ALTER INDEX "audit_entries_session_id_step_idx" RENAME TO "audit_entries_unpartitioned_session_id_step_idx";
ALTER INDEX "audit_entries_decision_id_idx" RENAME TO "audit_entries_unpartitioned_decision_id_idx";
ALTER INDEX "audit_entries_kind_created_at_idx" RENAME TO "audit_entries_unpartitioned_kind_created_at_idx";
ALTER INDEX "audit_entries_agent_id_created_at_idx" RENAME TO "audit_entries_unpartitioned_agent_id_created_at_idx";
ALTER INDEX "audit_entries_tool_created_at_idx" RENAME TO "audit_entries_unpartitioned_tool_created_at_idx";
ALTER INDEX "audit_entries_outcome_created_at_idx" RENAME TO "audit_entries_unpartitioned_outcome_created_at_idx";

CREATE TABLE "audit_entries" (
    "chain_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "session_id" TEXT,
    "step" INTEGER,
    "agent_id" UUID,
    "tool" TEXT,
    "outcome" TEXT,
    "decision_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL
) PARTITION BY RANGE ("created_at");

CREATE INDEX "audit_entries_created_at_idx" ON "audit_entries"("created_at" DESC);
CREATE INDEX "audit_entries_session_id_step_idx" ON "audit_entries"("session_id", "step");
CREATE INDEX "audit_entries_decision_id_idx" ON "audit_entries"("decision_id");
CREATE INDEX "audit_entries_kind_created_at_idx" ON "audit_entries"("kind", "created_at" DESC) INCLUDE ("outcome", "tool", "agent_id");
CREATE INDEX "audit_entries_agent_id_created_at_idx" ON "audit_entries"("agent_id", "created_at" DESC);
CREATE INDEX "audit_entries_tool_created_at_idx" ON "audit_entries"("tool", "created_at" DESC);
CREATE INDEX "audit_entries_outcome_created_at_idx" ON "audit_entries"("outcome", "created_at" DESC);

-- Row triggers on the parent are cloned onto every partition (present and future): UPDATE and DELETE are
-- refused on the parent and on a partition named directly. A TRUNCATE trigger is a statement trigger and
-- is not cloned: each partition gets its own (mandate_audit_partition_tune()).
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION mandate_forbid_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION mandate_forbid_change();

-- What every partition gets besides the cloned indexes and row triggers: its primary key and its TRUNCATE trigger.
CREATE OR REPLACE FUNCTION mandate_audit_partition_tune(part text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (chain_id, seq)', part, part || '_pkey');
  EXECUTE format('CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION mandate_forbid_change()', part);
END $$;

CREATE TABLE "audit_entries_default" PARTITION OF "audit_entries" DEFAULT;
SELECT mandate_audit_partition_tune('audit_entries_default');

-- The partition of the UTC month holding `day`: created if missing and returned by name. NULL when rows of
-- that month already sit in the default partition (a partition cannot be created over them; they stay
-- there, still verified, and the month is not archivable).
CREATE OR REPLACE FUNCTION mandate_audit_partition(day timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', day, 'UTC');
  hi timestamptz := ((date_trunc('month', day, 'UTC') AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  part text := 'audit_entries_p' || to_char(day AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
  IF to_regclass(format('%I', part)) IS NOT NULL THEN
    RETURN part;
  END IF;
  IF EXISTS (SELECT 1 FROM audit_entries_default WHERE created_at >= lo AND created_at < hi) THEN
    RETURN NULL;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_entries FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  PERFORM mandate_audit_partition_tune(part);
  RETURN part;
END $$;

-- Partitions for every month that holds entries, and for this month and the next two.
DO $$
DECLARE
  m timestamptz;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', created_at, 'UTC') FROM audit_entries_unpartitioned
           UNION SELECT ((date_trunc('month', now(), 'UTC') AT TIME ZONE 'UTC') + k * interval '1 month') AT TIME ZONE 'UTC'
                   FROM generate_series(0, 2) AS k
  LOOP
    PERFORM mandate_audit_partition(m);
  END LOOP;
END $$;

INSERT INTO audit_entries (chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome,
                           decision_id, created_at, data)
SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome,
       decision_id, created_at, data
  FROM audit_entries_unpartitioned ORDER BY chain_id, seq;

DROP TABLE "audit_entries_unpartitioned";
