-- Hand-written: delegation, approvals and receipts (issue 3).
--
-- 1. Approval webhook deliveries: one row per (approval event, configured webhook), retried with
--    back-off by any node (claimed with a lease), so delivery status is visible and survives restarts.
--    The webhook URL itself is never stored (Slack-style URLs are secrets): it is read from the
--    environment at delivery time; `target` keeps only its origin for display.
CREATE TABLE "approval_notifications" (
    "id" UUID NOT NULL,
    "approval_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approval_notifications_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "approval_notifications_approval_id_idx" ON "approval_notifications"("approval_id");
CREATE INDEX "approval_notifications_status_next_idx" ON "approval_notifications"("status", "next_attempt_at");

-- 2. Pending approvals past their expiry are found by the sweeper.
CREATE INDEX "approvals_status_expires_at_idx" ON "approvals"("status", "expires_at");

-- 3. Cross-node notifications: an approval decided on one node wakes long-polls on every node; a new
--    or retired signing key is picked up by every node at once.
CREATE TRIGGER approvals_notify AFTER UPDATE ON approvals FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION mandate_notify_change();

CREATE OR REPLACE FUNCTION mandate_notify_signing_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mandate_changes', 'signing_keys:' || COALESCE(NEW.kid, OLD.kid));
  RETURN NULL;
END $$;
CREATE TRIGGER signing_keys_notify AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH ROW EXECUTE FUNCTION mandate_notify_signing_key();
