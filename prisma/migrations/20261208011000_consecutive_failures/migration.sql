-- Hand-written: consecutive failed outcomes per session (issue 15 §3, docs/policies.md "Counters").
-- session_failure_streaks: the number of failed outcomes in a row of each session (reset to 0 by a
-- successful one), updated by the outcome ingestion (lib/counters/failure-streaks.ts) one session per
-- statement, in the order the events were received. A table of its own, not a column of sessions: the
-- decision commit never locks it (it only reads it), so ingestion and decisions never wait on each other.
-- mandate_commit: a session write may carry expected_failures (the count the decision saw); the write is a
-- conflict if the stored count differs. Otherwise the function of 20261207010000_session_counters.
CREATE TABLE "session_failure_streaks" (
    "session_id" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_failure_streaks_pkey" PRIMARY KEY ("session_id")
);

CREATE OR REPLACE FUNCTION mandate_commit(batch jsonb) RETURNS void LANGUAGE plpgsql
  SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  conflicts text[];
  expected_n int;
  done_n int;
BEGIN
  IF jsonb_array_length(COALESCE(batch->'sessions', '[]'::jsonb)) > 0 THEN
    WITH s AS (
      SELECT * FROM jsonb_to_recordset(batch->'sessions') AS x(
        id text, agent_id uuid, expected int, expected_status text, expected_granted int, step_count int,
        labels text[], tools_used text[], initiator text, initiator_verified boolean, denies int, approvals int,
        at timestamptz, observed_labels text[], counters jsonb, expected_failures int)
    ), ins AS (
      INSERT INTO sessions (id, agent_id, initiator, initiator_verified, step_count, tools_used, labels,
                            status, started_at, last_activity_at, deny_count, approval_count, observed_labels, counters)
      SELECT id, agent_id, initiator, COALESCE(initiator_verified, false), step_count, tools_used, labels,
             'active', at, at, denies, approvals, COALESCE(observed_labels, '{}'), COALESCE(counters, '{}')
      FROM s WHERE expected = 0
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), upd AS (
      UPDATE sessions t
         SET step_count = s.step_count, labels = s.labels, tools_used = s.tools_used,
             -- Only an observation (POST /api/v1/observations) sends observed_labels; decisions keep them.
             observed_labels = COALESCE(s.observed_labels, t.observed_labels),
             -- A decision sends the whole new counters (computed from the state it saw: exact, since the
             -- step count is checked below); an observation sends none and keeps them.
             counters = COALESCE(s.counters, t.counters),
             initiator = COALESCE(t.initiator, s.initiator),
             initiator_verified = t.initiator_verified OR COALESCE(s.initiator_verified, false),
             -- Moved on only once a second has passed: an update that changes no indexed column is a
             -- heap-only (HOT) update, without new entries in the session indexes.
             last_activity_at = CASE WHEN s.at >= t.last_activity_at + interval '1 second' THEN s.at ELSE t.last_activity_at END,
             deny_count = t.deny_count + s.denies, approval_count = t.approval_count + s.approvals
        FROM s
       WHERE t.id = s.id AND s.expected > 0 AND t.step_count = s.expected AND t.status = s.expected_status
         -- The decision saw this many granted approvals: one granted since is a conflict (re-evaluated).
         AND t.approvals_granted = COALESCE(s.expected_granted, t.approvals_granted)
         -- An observation adds labels without a step: a write that would drop a label the session has now
         -- (it read the session before the observation) is a conflict, re-evaluated on fresh state.
         AND t.labels <@ s.labels
         -- A decision whose policy reads the consecutive failures sends the count it saw: an outcome
         -- ingested since (on any node) is a conflict, re-evaluated on fresh state.
         AND (s.expected_failures IS NULL
              OR s.expected_failures = COALESCE((SELECT f.failures FROM session_failure_streaks f WHERE f.session_id = s.id), 0))
      RETURNING t.id
    )
    SELECT array_agg('session:' || s.id) INTO conflicts
      FROM s WHERE s.id NOT IN (SELECT id FROM ins UNION ALL SELECT id FROM upd);
    IF conflicts IS NOT NULL THEN
      RAISE EXCEPTION 'conflict' USING ERRCODE = 'MD001', DETAIL = array_to_string(conflicts, E'\n');
    END IF;
  END IF;

  IF jsonb_array_length(COALESCE(batch->'approvals_used', '[]'::jsonb)) > 0 THEN
    SELECT count(*) INTO expected_n FROM jsonb_array_elements_text(batch->'approvals_used');
    WITH u AS (
      UPDATE approvals SET status = 'used'
       WHERE id IN (SELECT v::uuid FROM jsonb_array_elements_text(batch->'approvals_used') v)
         AND status = 'approved' AND expires_at > now()
      RETURNING id
    ) SELECT count(*) INTO done_n FROM u;
    IF done_n <> expected_n THEN
      SELECT array_agg('approval:' || v) INTO conflicts FROM jsonb_array_elements_text(batch->'approvals_used') v;
      RAISE EXCEPTION 'conflict' USING ERRCODE = 'MD001', DETAIL = array_to_string(conflicts, E'\n');
    END IF;
  END IF;

  IF jsonb_array_length(COALESCE(batch->'events', '[]'::jsonb)) > 0 THEN
    BEGIN
      INSERT INTO outcome_events (event_id, decision_id, status, duration_ms, result_size, error, received_at)
      SELECT event_id, decision_id, status, duration_ms, result_size, error, received_at
        FROM jsonb_to_recordset(batch->'events') AS x(event_id text, decision_id uuid, status text,
             duration_ms double precision, result_size int, error text, received_at timestamptz);
    EXCEPTION WHEN unique_violation THEN
      SELECT array_agg('event:' || e.event_id) INTO conflicts
        FROM jsonb_to_recordset(batch->'events') AS e(event_id text)
       WHERE EXISTS (SELECT 1 FROM outcome_events o WHERE o.event_id = e.event_id);
      RAISE EXCEPTION 'conflict' USING ERRCODE = 'MD001', DETAIL = COALESCE(array_to_string(conflicts, E'\n'), 'event:?');
    END;
  END IF;

  INSERT INTO audit_entries (chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id,
                             tool, outcome, decision_id, created_at, data)
  SELECT chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool, outcome,
         decision_id, created_at, data
    FROM jsonb_to_recordset(COALESCE(batch->'entries', '[]'::jsonb)) AS x(
         chain_id uuid, seq bigint, prev_hash text, hash text, kind text, action text, actor text,
         session_id text, step int, agent_id uuid, tool text, outcome text, decision_id uuid,
         created_at timestamptz, data jsonb);

  IF jsonb_array_length(COALESCE(batch->'approvals', '[]'::jsonb)) > 0 THEN
    INSERT INTO approvals (id, decision_id, session_id, step, agent_id, tool, args_hash, reasons, status,
                           expires_at, created_at)
    SELECT id, decision_id, session_id, step, agent_id, tool, args_hash, reasons, 'pending', expires_at, created_at
      FROM jsonb_to_recordset(batch->'approvals') AS x(id uuid, decision_id uuid, session_id text, step int,
           agent_id uuid, tool text, args_hash text, reasons jsonb, expires_at timestamptz, created_at timestamptz);
  END IF;

  IF jsonb_array_length(COALESCE(batch->'tool_calls', '[]'::jsonb)) > 0 THEN
    UPDATE tools t SET call_count = t.call_count + c.n, last_seen_at = GREATEST(t.last_seen_at, now())
      FROM jsonb_to_recordset(batch->'tool_calls') AS c(tool_id uuid, n int)
     WHERE t.id = c.tool_id;
  END IF;
END $$;
