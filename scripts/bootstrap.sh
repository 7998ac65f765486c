#!/usr/bin/env bash
# Makes a fresh Debian machine ready to run the service and its tests: Debian packages
# (SoftHSMv2 for the PKCS#11 token, a Java runtime for DynamoDB Local) through apt when
# running as root, then the npm dependencies from package-lock.json. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
{ [ -e "${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}" ] && command -v softhsm2-util >/dev/null; } || missing+=(softhsm2)
command -v java >/dev/null || missing+=(default-jre-headless)
# unshare (util-linux) and ip (iproute2) keep the embedded database in a private network namespace.
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# npm ci when node_modules is absent or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

# The arm64 check of the committed PKCS#11 layers (test/lib/pkcs11-layer.integ.test.ts) runs under
# qemu with Debian's arm64 Node.js: as root, qemu-user-static is installed and that Node.js
# downloaded into .build/ (about 30 s the first time). Where that fails, the test says it skipped.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ ! -x .build/pkcs11-layer/node-arm64/usr/bin/node ]; then
  bash scripts/check-pkcs11-layer.sh --setup-only >&2 || echo "PKCS#11 layer check not set up: its test will be skipped" >&2
fi
