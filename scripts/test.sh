#!/usr/bin/env bash
# `npm test [-- vitest args]`: installs what is missing, type-checks, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
npx tsc --noEmit
exec npx vitest run "$@"
