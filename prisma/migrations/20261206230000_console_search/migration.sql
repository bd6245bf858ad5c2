-- Hand-written: the console's one time and search model (issue 16 §2).
-- 1. Each user's display zone for timestamps (NULL = UTC; else the IANA zone the browser reported when
--    the user chose "local"), read with the user on every request (lib/auth/console-session.ts).
ALTER TABLE "users" ADD COLUMN "display_time_zone" TEXT;

-- 2. Substring search on session ids (lib/console/search.ts): a trigram GIN index, so `id LIKE '%frag%'`
--    (fragments of 3+ characters) is an index scan rather than a scan of every session. pg_trgm ships with
--    PostgreSQL (the embedded one included) and is a trusted extension: a database owner may create it.
--    `id` is never updated, so the per-decision session update stays a heap-only (HOT) update; a new
--    session adds one GIN entry set (fastupdate keeps it cheap).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "sessions_id_trgm_idx" ON "sessions" USING GIN ("id" gin_trgm_ops);
