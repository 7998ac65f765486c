#!/usr/bin/env bash
# Bundles local mode (src/local/cli.ts and everything it imports from src/) into
# .build/local/cli.mjs with esbuild, so a start runs plain JavaScript instead of compiling
# TypeScript. Rebuilds only when the sources or the lock file changed (by content), so it costs
# a few milliseconds when nothing did. npm packages stay outside the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build/local/cli.mjs
stamp=.build/local/sources.sha256
sources_hash=$( { find src -type f -print0 | sort -z | xargs -0 sha256sum; sha256sum package-lock.json; } | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources_hash" ]; then
  exit 0
fi
mkdir -p .build/local
tmp="$out.$$.tmp"
node_modules/.bin/esbuild src/local/cli.ts --bundle --platform=node --format=esm --target=node20 \
  --packages=external --log-level=warning --outfile="$tmp"
mv "$tmp" "$out"
echo "$sources_hash" > "$stamp"
