#!/usr/bin/env bash
# `npm run lint`: the checks that keep the code honest (first step of `npm test`). Under 3 minutes.
#   0. scripts/check-line-length.ts: no source line over 200 characters (of any tracked file but prose,
#      test data and binaries; Prettier does not break strings, regular expressions or template literals)
#   1. ESLint (eslint.config.mjs: typescript-eslint recommendedTypeChecked, Next.js core-web-vitals,
#      React hooks), cached in node_modules/.cache/eslint (a re-run only lints changed files)
#   2. knip (knip.jsonc): unused files, exports and dependencies
#   3. prettier --check (.prettierrc.json) over the code (prose, JSON and test data keep their bytes)
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx scripts/check-line-length.ts
npx eslint --max-warnings 0 --cache --cache-location node_modules/.cache/eslint/ --cache-strategy content .
npx knip --no-progress --no-config-hints
npx prettier --check "**/*.{ts,tsx,mjs,cjs,js,css}"
