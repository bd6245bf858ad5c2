-- Hand-written: console sign-in attempts, counted per account ("account:<email>") and per source
-- address ("source:<address>") over a sliding window (lib/auth/throttle.ts). A row is written before
-- the password is checked and removed again when the sign-in succeeds. In PostgreSQL so that every
-- node counts the same attempts.
CREATE TABLE "login_attempts" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "login_attempts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "login_attempts_key_at_idx" ON "login_attempts"("key", "at");
CREATE INDEX "login_attempts_at_idx" ON "login_attempts"("at");
