-- Hand-written: the approvals page's layout per console user (issue 16 §4, docs/console.md), stored beside
-- the display time zone: NULL = cards (the default), 'table' = the compact table.
ALTER TABLE "users" ADD COLUMN "approvals_view" TEXT;
ALTER TABLE "users" ADD CONSTRAINT "users_approvals_view_check" CHECK ("approvals_view" IN ('cards', 'table'));
