-- Hand-written. Real (unredacted) argument values of decisions whose stored arguments were redacted,
-- encrypted with the master key (AES-256-GCM, lib/crypto/master-key.ts), kept only for the retention an
-- admin sets (settings key "replay_retention_days"), so that what-if replay can evaluate those decisions
-- instead of reporting them as undeterminable. Expired rows are deleted by the replay module.
CREATE TABLE "replay_values" (
    "decision_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "arguments_enc" TEXT NOT NULL,

    CONSTRAINT "replay_values_pkey" PRIMARY KEY ("decision_id")
);

CREATE INDEX "replay_values_expires_at_idx" ON "replay_values"("expires_at");
