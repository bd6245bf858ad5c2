-- Hand-written: static credentials short-lived and visible (issue 20 §2).
-- 1. Where each key was last used from (the client address of the request; NULL: not known — a use
--    through the token endpoint, or before this column existed). Written with last_used_at, in batches
--    and at most once a minute per key and node (lib/identity/usage-log.ts).
ALTER TABLE "agent_keys" ADD COLUMN "last_used_from" TEXT;
ALTER TABLE "api_tokens" ADD COLUMN "last_used_from" TEXT;
ALTER TABLE "pep_keys" ADD COLUMN "last_used_from" TEXT;

-- 2. A last-used write is not a change any cache depends on: the change feed announces a key row's update
--    only when what authentication reads changed (its hash, owner, expiry or revocation). Before, every
--    batch of last-used times dropped those keys from every node's cache.
DROP TRIGGER agent_keys_notify ON agent_keys;
CREATE TRIGGER agent_keys_notify AFTER INSERT OR DELETE ON agent_keys FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER agent_keys_notify_update AFTER UPDATE ON agent_keys FOR EACH ROW
  WHEN (OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.agent_id IS DISTINCT FROM NEW.agent_id
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
  EXECUTE FUNCTION mandate_notify_change();

DROP TRIGGER api_tokens_notify ON api_tokens;
CREATE TRIGGER api_tokens_notify AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER api_tokens_notify_update AFTER UPDATE ON api_tokens FOR EACH ROW
  WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.user_id IS DISTINCT FROM NEW.user_id
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
  EXECUTE FUNCTION mandate_notify_change();

DROP TRIGGER pep_keys_notify ON pep_keys;
CREATE TRIGGER pep_keys_notify AFTER INSERT OR DELETE ON pep_keys FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER pep_keys_notify_update AFTER UPDATE ON pep_keys FOR EACH ROW
  WHEN (OLD.key_hash IS DISTINCT FROM NEW.key_hash OR OLD.store_id IS DISTINCT FROM NEW.store_id OR OLD.name IS DISTINCT FROM NEW.name
        OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
  EXECUTE FUNCTION mandate_notify_change();

-- 3. The webhook's queue also carries events that are not about an approval (`key.leaked`, issue 20 §2:
--    a key revoked on a leak report): their approval_id is NULL.
ALTER TABLE "approval_notifications" ALTER COLUMN "approval_id" DROP NOT NULL;
