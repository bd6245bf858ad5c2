-- The console's result counts (lib/console/table/count.ts) show PostgreSQL's row estimate of a filtered
-- query above 10,000 rows. Kind and outcome are not independent (a `deny` is always a decision), so the
-- planner's product of the two selectivities halved the estimate of "denied decisions" (0.53× exact on
-- the seeded history). Their combined most-common values fix it. The planner estimates a partitioned
-- table partition by partition, from each partition's statistics, so every partition gets them: those
-- that exist now, and (through mandate_audit_partition_tune) every one created later. ANALYZE (autovacuum)
-- fills them in.
CREATE OR REPLACE FUNCTION mandate_audit_partition_tune(part text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (chain_id, seq)', part, part || '_pkey');
  EXECUTE format('CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION mandate_forbid_change()', part);
  EXECUTE format('CREATE STATISTICS %I (mcv) ON kind, outcome FROM %I', part || '_kind_outcome_stats', part);
END $$;

DO $$
DECLARE
  part text;
BEGIN
  FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_entries'::regclass
  LOOP
    EXECUTE format('CREATE STATISTICS IF NOT EXISTS %I (mcv) ON kind, outcome FROM %I', part || '_kind_outcome_stats', part);
  END LOOP;
END $$;
