-- Hand-written: audit streaming to SIEMs (issue 19 §2, lib/sinks).
-- A sink: where the audit goes (webhook NDJSON, Splunk HEC, syslog RFC 5424 over TCP/TLS, OTLP/HTTP logs)
-- and in which format (OCSF JSON; CEF for syslog). Its token is AES-256-GCM under the master key
-- (lib/crypto/master-key.ts), never in clear. One node at a time delivers a sink: it holds the lease
-- (lease_owner until lease_until), and every cursor move is fenced by it.
CREATE TABLE "audit_sinks" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'ocsf',
    "endpoint" TEXT NOT NULL,
    "secret_enc" TEXT,
    "options" JSONB NOT NULL DEFAULT '{}',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "delivered" BIGINT NOT NULL DEFAULT 0,
    "last_delivered_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    CONSTRAINT "audit_sinks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_sinks_kind_check" CHECK ("kind" IN ('webhook', 'hec', 'syslog', 'otlp')),
    CONSTRAINT "audit_sinks_format_check" CHECK ("format" IN ('ocsf', 'cef') AND ("format" = 'ocsf' OR "kind" = 'syslog'))
);
CREATE UNIQUE INDEX "audit_sinks_name_key" ON "audit_sinks"("name");

-- Per sink and audit chain: the last seq the receiver acknowledged (entries are (chain_id, seq)).
CREATE TABLE "audit_sink_cursors" (
    "sink_id" UUID NOT NULL,
    "chain_id" UUID NOT NULL,
    "last_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "audit_sink_cursors_pkey" PRIMARY KEY ("sink_id", "chain_id"),
    CONSTRAINT "audit_sink_cursors_sink_id_fkey" FOREIGN KEY ("sink_id") REFERENCES "audit_sinks"("id") ON DELETE CASCADE
);

-- Entries a receiver refused for good (a 4xx, MANDATE_SINK_MAX_ATTEMPTS times): the cursor moved past them.
CREATE TABLE "audit_sink_dead_letters" (
    "sink_id" UUID NOT NULL,
    "chain_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "event_id" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "first_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "last_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "audit_sink_dead_letters_pkey" PRIMARY KEY ("sink_id", "chain_id", "seq"),
    CONSTRAINT "audit_sink_dead_letters_sink_id_fkey" FOREIGN KEY ("sink_id") REFERENCES "audit_sinks"("id") ON DELETE CASCADE
);
CREATE INDEX "audit_sink_dead_letters_sink_id_last_attempt_at_idx" ON "audit_sink_dead_letters"("sink_id", "last_attempt_at" DESC);
