-- Workload identity federation (lib/identity/federation): agents may be federated-only, trust rules per
-- agent, short-lived access tokens issued by the token endpoint, and the jtis already exchanged.

-- AlterTable
ALTER TABLE "agents" ADD COLUMN "federated_only" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "agent_trust_rules" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "claims" JSONB NOT NULL DEFAULT '{}',
    "audience" TEXT,
    "jwks_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,

    CONSTRAINT "agent_trust_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_access_tokens" (
    "id" UUID NOT NULL,
    "agent_id" UUID NOT NULL,
    "trust_rule_id" UUID NOT NULL,
    "key_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "source_expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agent_access_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "federation_jtis" (
    "issuer" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "federation_jtis_pkey" PRIMARY KEY ("issuer","jti")
);

-- CreateIndex
CREATE INDEX "agent_trust_rules_agent_id_idx" ON "agent_trust_rules"("agent_id");

-- CreateIndex
CREATE INDEX "agent_trust_rules_issuer_subject_idx" ON "agent_trust_rules"("issuer", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "agent_access_tokens_key_id_key" ON "agent_access_tokens"("key_id");

-- CreateIndex
CREATE UNIQUE INDEX "agent_access_tokens_token_hash_key" ON "agent_access_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "agent_access_tokens_agent_id_idx" ON "agent_access_tokens"("agent_id");

-- CreateIndex
CREATE INDEX "agent_access_tokens_expires_at_idx" ON "agent_access_tokens"("expires_at");

-- CreateIndex
CREATE INDEX "federation_jtis_expires_at_idx" ON "federation_jtis"("expires_at");

-- AddForeignKey
ALTER TABLE "agent_trust_rules" ADD CONSTRAINT "agent_trust_rules_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_access_tokens" ADD CONSTRAINT "agent_access_tokens_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_access_tokens" ADD CONSTRAINT "agent_access_tokens_trust_rule_id_fkey" FOREIGN KEY ("trust_rule_id") REFERENCES "agent_trust_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: an access token removed (its trust rule removed) is announced like an agent key, by its
-- hash, so that every node's credential cache forgets it (lib/identity/credential-cache.ts).
CREATE OR REPLACE FUNCTION mandate_notify_access_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mandate_changes', 'agent_access_tokens:' || COALESCE(NEW.token_hash, OLD.token_hash));
  RETURN NULL;
END $$;
CREATE TRIGGER agent_access_tokens_notify AFTER UPDATE OR DELETE ON agent_access_tokens
  FOR EACH ROW EXECUTE FUNCTION mandate_notify_access_token();
