#!/usr/bin/env bash
# `npm test [-- vitest args]`: installs what is missing, type-checks, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsc --noEmit
exec npx vitest run "$@"
