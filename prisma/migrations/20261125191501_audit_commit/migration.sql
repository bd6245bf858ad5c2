-- Hand-written: the audit log is append-only, and the hot path commits a whole batch of decisions
-- (audit entries, session state, approvals, outcome events) in one round trip through mandate_commit().

CREATE OR REPLACE FUNCTION mandate_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP USING ERRCODE = 'MD002';
END $$;

CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION mandate_forbid_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION mandate_forbid_change();

-- batch = {
--   "sessions":  [{id, agent_id, expected, expected_status, step_count, labels, tools_used, initiator,
--                  initiator_verified, denies, approvals, at}],
--   "entries":   [{chain_id, seq, prev_hash, hash, kind, action, actor, session_id, step, agent_id, tool,
--                  outcome, decision_id, created_at, data}],
--   "approvals": [{id, decision_id, session_id, step, agent_id, tool, args_hash, reasons, expires_at, created_at}],
--   "approvals_used": [uuid…],
--   "events":    [{event_id, decision_id, status, duration_ms, result_size, error, received_at}],
--   "tool_calls": [{tool_id, n}]
-- }
-- Conflicts raise SQLSTATE MD001 with the conflicting keys in DETAIL ("session:<id>", "approval:<id>",
-- "event:<id>"), and nothing of the batch is written.
CREATE OR REPLACE FUNCTION mandate_commit(batch jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  conflicts text[];
  expected_n int;
  done_n int;
BEGIN
  IF jsonb_array_length(COALESCE(batch->'sessions', '[]'::jsonb)) > 0 THEN
    WITH s AS (
      SELECT * FROM jsonb_to_recordset(batch->'sessions') AS x(
        id text, agent_id uuid, expected int, expected_status text, step_count int, labels text[],
        tools_used text[], initiator text, initiator_verified boolean, denies int, approvals int, at timestamptz)
    ), ins AS (
      INSERT INTO sessions (id, agent_id, initiator, initiator_verified, step_count, tools_used, labels,
                            status, started_at, last_activity_at, deny_count, approval_count)
      SELECT id, agent_id, initiator, COALESCE(initiator_verified, false), step_count, tools_used, labels,
             'active', at, at, denies, approvals
      FROM s WHERE expected = 0
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), upd AS (
      UPDATE sessions t
         SET step_count = s.step_count, labels = s.labels, tools_used = s.tools_used,
             initiator = COALESCE(t.initiator, s.initiator),
             initiator_verified = t.initiator_verified OR COALESCE(s.initiator_verified, false),
             last_activity_at = GREATEST(t.last_activity_at, s.at),
             deny_count = t.deny_count + s.denies, approval_count = t.approval_count + s.approvals
        FROM s
       WHERE t.id = s.id AND s.expected > 0 AND t.step_count = s.expected AND t.status = s.expected_status
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

-- Cache invalidation across nodes: every change to an identity, tool, policy or session control is
-- announced on the "mandate_changes" channel (payload "<table>:<id>").
CREATE OR REPLACE FUNCTION mandate_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text;
BEGIN
  IF TG_TABLE_NAME = 'policy_versions' THEN
    key := COALESCE(NEW.store_id, OLD.store_id);
  ELSIF TG_TABLE_NAME = 'agent_keys' THEN
    key := COALESCE(NEW.key_hash, OLD.key_hash);
  ELSIF TG_TABLE_NAME = 'api_tokens' THEN
    key := COALESCE(NEW.token_hash, OLD.token_hash);
  ELSE
    key := COALESCE(NEW.id::text, OLD.id::text);
  END IF;
  PERFORM pg_notify('mandate_changes', TG_TABLE_NAME || ':' || key);
  RETURN NULL;
END $$;

CREATE TRIGGER agents_notify AFTER INSERT OR UPDATE OR DELETE ON agents FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER agent_keys_notify AFTER INSERT OR UPDATE OR DELETE ON agent_keys FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER api_tokens_notify AFTER UPDATE OR DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER users_notify AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER tools_notify AFTER INSERT OR DELETE ON tools FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER tools_notify_update AFTER UPDATE ON tools FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.effect IS DISTINCT FROM NEW.effect
        OR OLD.risk IS DISTINCT FROM NEW.risk OR OLD.labels IS DISTINCT FROM NEW.labels
        OR OLD.sensitive_args IS DISTINCT FROM NEW.sensitive_args OR OLD.blocked_at IS DISTINCT FROM NEW.blocked_at
        OR OLD.input_schema IS DISTINCT FROM NEW.input_schema)
  EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER policy_versions_notify AFTER INSERT OR UPDATE ON policy_versions FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER sessions_notify AFTER UPDATE ON sessions FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER delegations_notify AFTER UPDATE ON delegations FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at) EXECUTE FUNCTION mandate_notify_change();
