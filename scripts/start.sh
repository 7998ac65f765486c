#!/usr/bin/env bash
# `npm start [-- --port N --host H --data-dir DIR --account-id ID]`: installs what is missing, then serves.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node --import tsx src/local/cli.ts "$@"
