-- Hand-written: OpenID AuthZEN (issue 7).
--
-- 1. PEP keys: a policy enforcement point authenticates to the AuthZEN endpoints with a Bearer key
--    (mnd_pep_<key id>_<secret>) bound to ONE policy store. Only the SHA-256 of the key is stored.
CREATE TABLE "pep_keys" (
    "id" UUID NOT NULL,
    "store_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "pep_keys_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "pep_keys_key_id_key" ON "pep_keys"("key_id");
CREATE UNIQUE INDEX "pep_keys_key_hash_key" ON "pep_keys"("key_hash");
CREATE INDEX "pep_keys_store_id_idx" ON "pep_keys"("store_id");
ALTER TABLE "pep_keys" ADD CONSTRAINT "pep_keys_store_id_fkey" FOREIGN KEY ("store_id") REFERENCES "policy_stores"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- 2. Cross-node cache invalidation (channel "mandate_changes"):
--    pep_keys:<id>, policy_stores:<id> (schema changes), directory_entities:<store id>.
--    A bulk directory import sends one notification per store: PostgreSQL folds identical payloads
--    of one transaction into one.
CREATE TRIGGER pep_keys_notify AFTER INSERT OR UPDATE OR DELETE ON pep_keys
  FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();
CREATE TRIGGER policy_stores_notify AFTER INSERT OR UPDATE OR DELETE ON policy_stores
  FOR EACH ROW EXECUTE FUNCTION mandate_notify_change();

CREATE OR REPLACE FUNCTION mandate_notify_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mandate_changes', 'directory_entities:' || COALESCE(NEW.store_id, OLD.store_id));
  RETURN NULL;
END $$;
CREATE TRIGGER directory_entities_notify AFTER INSERT OR UPDATE OR DELETE ON directory_entities
  FOR EACH ROW EXECUTE FUNCTION mandate_notify_directory();
