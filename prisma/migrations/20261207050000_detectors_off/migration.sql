-- Detectors an admin turned off (issue 15 §2): per server and per inventory item (tool, resource,
-- prompt). Names are detector names (lib/detectors/registry.ts) or labels (every detector yielding it).
-- The gateway skips them when it inspects what the item returns; `_meta` labels from the server still count.

-- AlterTable
ALTER TABLE "tool_servers" ADD COLUMN "detectors_off" text[] NOT NULL DEFAULT '{}';
ALTER TABLE "tools" ADD COLUMN "detectors_off" text[] NOT NULL DEFAULT '{}';

-- Both reach every node's inventory cache through the change feed.
DROP TRIGGER tools_notify_update ON tools;
CREATE TRIGGER tools_notify_update AFTER UPDATE ON tools FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.effect IS DISTINCT FROM NEW.effect
        OR OLD.risk IS DISTINCT FROM NEW.risk OR OLD.labels IS DISTINCT FROM NEW.labels
        OR OLD.sensitive_args IS DISTINCT FROM NEW.sensitive_args OR OLD.blocked_at IS DISTINCT FROM NEW.blocked_at
        OR OLD.input_schema IS DISTINCT FROM NEW.input_schema OR OLD.detectors_off IS DISTINCT FROM NEW.detectors_off)
  EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER tool_servers_notify_update AFTER UPDATE ON tool_servers FOR EACH ROW
  WHEN (OLD.detectors_off IS DISTINCT FROM NEW.detectors_off)
  EXECUTE FUNCTION mandate_notify_change();
