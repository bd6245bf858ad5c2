#!/usr/bin/env bash
# `npm test`: every test of the project, in order of cost. Each step stops the run on failure.
#   0. lint (scripts/lint.sh: ESLint, knip)   1. type check   2. unit tests   3. console build   4. integration tests (real PostgreSQL, real
#   Mandate nodes, real MCP servers)   5. fault injection (nodes and PostgreSQL killed, a node cut off:
#   docs/guarantees.md)   6. browser tests (Playwright in Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

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

step "fault injection"
npx vitest run --project faults

if [ -f playwright.config.ts ]; then
  step "browser tests"
  npx playwright test
fi
