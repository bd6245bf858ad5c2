-- `mandate audit verify` reads each entry's `data` in jsonb's stored form (`data::bytea`) instead of
-- jsonb's text, which PostgreSQL spends most of a verification's database CPU printing
-- (lib/audit/jsonb-raw.mjs, docs/benchmarks.md). The cast reinterprets the stored bytes (binary
-- coercible: no function, nothing converted); only jsonb → bytea, never the other way. Creating a
-- binary-coercible cast needs a superuser (the embedded PostgreSQL's role is one): elsewhere nothing is
-- created and verification reads jsonb's text as before (same result, more database CPU).
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     AND NOT EXISTS (SELECT 1 FROM pg_cast WHERE castsource = 'jsonb'::regtype AND casttarget = 'bytea'::regtype) THEN
    CREATE CAST (jsonb AS bytea) WITHOUT FUNCTION;
  END IF;
END
$$;
