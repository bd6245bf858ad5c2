#!/usr/bin/env bash
# `npm test`: every test of the project, in order of cost. Each step stops the run on failure.
#   0. lint (scripts/lint.sh: ESLint, knip)   1. type check   2. unit tests   3. console build   4. integration tests (real PostgreSQL, real
#   Mandate nodes, real MCP servers)   4b. database tests on Debian's PostgreSQL 15 over TLS   5. fault injection (nodes and PostgreSQL killed, a node cut off:
#   docs/guarantees.md)   6. browser tests (Playwright in Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

# Every temporary directory of this run (each test node's data directory holds a PostgreSQL cluster of
# ~70 MB) goes under one run directory, removed with whatever still runs from it when the run ends, however
# it ends: vitest kills workers without their exit handlers, which used to leave ~100 of them in /tmp per run.
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/mandate-run.XXXXXXXX")"
chmod 1777 "$run_tmp" # like /tmp: the embedded PostgreSQL runs initdb as its own user when we are root
cleanup() {
  pkill -KILL -f "$run_tmp" 2>/dev/null || true
  [ "${MANDATE_KEEP_TEST_DATA:-}" = "1" ] || rm -rf "$run_tmp"
}
trap cleanup EXIT
export TMPDIR="$run_tmp"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "lint"
bash scripts/lint.sh

step "type check"
npx tsc --noEmit -p .

step "unit tests"
npx vitest run --project unit

step "console build"
npx next build > /tmp/mandate-next-build.log 2>&1 || { cat /tmp/mandate-next-build.log; exit 1; }
tail -n 3 /tmp/mandate-next-build.log

step "integration tests"
npx vitest run --project integration

step "database tests on a PostgreSQL 15 server over TLS"
# Debian's PostgreSQL 15 (the documented minimum; the embedded one is 18), TLS only with verify-full:
# the decision path, two nodes on one database, the commit function's contract, approvals, the audit chain
# and checkpoints, the partitioning migration and the audit archive, admin transactions and backup/restore
# (docs/deploy.md).
bash scripts/test-pg-server.sh npx vitest run --project integration \
  test/integration/decision-path.test.ts test/integration/two-nodes.test.ts test/integration/commit-contract.test.ts \
  test/integration/approvals.test.ts test/integration/audit-verify-ranges.test.ts test/integration/audit-checkpoints.test.ts \
  test/integration/audit-partition-migration.test.ts test/integration/audit-archive.test.ts \
  test/integration/persistence.test.ts test/integration/backup-restore.test.ts

step "fault injection"
npx vitest run --project faults

if [ -f playwright.config.ts ]; then
  step "browser tests"
  npx playwright test
fi
