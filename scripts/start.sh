#!/usr/bin/env bash
# `npm start [-- flags]`: installs what is missing, bundles local mode when its sources changed,
# then serves. `npm start -- --help` lists the flags.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=false
for arg in "$@"; do [ "$arg" = --quiet ] && quiet=true; done
started=$(date +%s%N)
bash scripts/bootstrap.sh
bash scripts/build-local.sh
if [ "$quiet" = false ]; then
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  printf '  %-12s %s (%d.%02d s)\n' installing 'Debian packages, npm dependencies and the bundle up to date' $((elapsed / 1000)) $((elapsed % 1000 / 10)) >&2
fi
# The SDK warns that its 2027 releases will need Node 22; this service runs on 20 and 22.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec node .build/local/cli.mjs "$@"
