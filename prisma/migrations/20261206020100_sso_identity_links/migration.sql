-- Hand-written: identity links. An IdP login reaches a Mandate account through an (issuer, subject)
-- link, made explicitly (by a verified email, or when the login created the account) and audited
-- (lib/auth/sso.ts). Before, the login matched users by email (ON CONFLICT (email)) and kept one
-- subject without its issuer in users.oidc_subject. Those subjects are carried over with issuer ''
-- ("issuer not recorded"): the configured provider adopts such a link at its next sign-in by that
-- subject.
CREATE TABLE "user_identities" (
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "email_verified" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_identities_pkey" PRIMARY KEY ("issuer", "subject")
);
CREATE INDEX "user_identities_user_id_idx" ON "user_identities"("user_id");
ALTER TABLE "user_identities" ADD CONSTRAINT "user_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "user_identities" ("issuer", "subject", "user_id", "email", "email_verified", "created_at", "last_login_at")
SELECT '', "oidc_subject", "id", "email", false, "created_at", "last_login_at" FROM "users" WHERE "oidc_subject" IS NOT NULL;

DROP INDEX "users_oidc_subject_key";
ALTER TABLE "users" DROP COLUMN "oidc_subject";
