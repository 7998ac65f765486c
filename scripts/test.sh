#!/usr/bin/env bash
# `npm test [-- vitest args]`: installs what is missing, type-checks, lints (type-aware rules and the
# dependency rules that keep src/core pure), then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
npx tsc --noEmit
npm run --silent lint
exec npx vitest run "$@"
