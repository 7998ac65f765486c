#!/usr/bin/env bash
# `npm start [-- --port N --host H --data-dir DIR --account-id ID]`: installs what is missing, then serves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The SDK warns that its 2027 releases will need Node 22; this service runs on 20 and 22.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec node --import tsx src/local/cli.ts "$@"
