#!/usr/bin/env bash
# Proves the committed layers (layers/README.md) on this x86-64 machine:
#
#   1. every ELF file in them is AArch64 and needs nothing newer than Lambda's Amazon Linux 2023
#      (test/lib/pkcs11-layer-binaries.test.ts, which `npm test` runs too);
#   2. under qemu, Debian bookworm's arm64 Node.js (18) loads the layer's koffi, pkcs11js and
#      graphene-pk11 through NODE_PATH, as Lambda does, opens the layer's libsofthsm2.so and uses a
#      token (scripts/pkcs11-layer-check.ts, compiled to CommonJS for Node 18 by esbuild).
#
# Step 2 needs qemu-aarch64-static (Debian's qemu-user-static: installed when run as root,
# otherwise named) and the arm64 Node.js, which is downloaded and unpacked into
# .build/pkcs11-layer/node-arm64 (PKCS11_LAYER_WORK) with an apt of its own; nothing is installed
# for it. test/lib/pkcs11-layer.integ.test.ts runs step 2 when both are there.
#
#   --setup-only   only install qemu and download the arm64 Node.js (scripts/bootstrap.sh uses it)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${PKCS11_LAYER_WORK:-$PWD/.build/pkcs11-layer}
SYSROOT=$WORK/node-arm64
# shellcheck source=pkcs11-layer-apt.sh
source scripts/pkcs11-layer-apt.sh
log() { echo "check-pkcs11-layer: $*" >&2; }

if ! command -v qemu-aarch64-static >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "installing qemu-user-static"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static >/dev/null
  else
    log "needs qemu-aarch64-static: sudo apt-get install qemu-user-static"
    exit 1
  fi
fi

if [ ! -x "$SYSROOT/usr/bin/node" ]; then
  log "downloading Debian bookworm's arm64 Node.js into $SYSROOT"
  layer_apt_setup "$WORK/apt"
  # nodejs and what it depends on (apt-cache depends nodejs:arm64), the C library included, so
  # the emulated process finds its own loader and libraries under the sysroot.
  layer_apt_download "$WORK/node-debs" nodejs:arm64 libnode108:arm64 libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 \
    libssl3:arm64 libuv1:arm64 libicu72:arm64 libnghttp2-14:arm64 libbrotli1:arm64 libc-ares2:arm64 zlib1g:arm64 \
    node-acorn node-cjs-module-lexer node-undici
  rm -rf "$SYSROOT.tmp" && mkdir -p "$SYSROOT.tmp"
  for deb in "$WORK"/node-debs/*.deb; do dpkg-deb -x "$deb" "$SYSROOT.tmp"; done
  rm -rf "$SYSROOT" && mv "$SYSROOT.tmp" "$SYSROOT"
fi

[ "${1:-}" = --setup-only ] && exit 0

log "1. ELF files: architecture and the library versions they need"
for file in $(find layers/pkcs11-binding layers/softhsm -type f \( -name '*.so' -o -name '*.node' \) | LC_ALL=C sort); do
  machine=$(readelf -h "$file" | awk -F: '/Machine/ { gsub(/^ +/, "", $2); print $2 }')
  needed=$(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  # The newest version of each kind (GLIBC, GLIBCXX, CXXABI, GCC) the file asks for.
  newest=$(readelf --version-info -W "$file" | sed -n '/Version needs/,$p' | grep -o 'Name: [A-Z_]*[0-9.]*' | cut -d' ' -f2 |
    awk '{ n = $0; sub(/_[0-9.]*$/, "", n); print n, $0 }' | sort -k1,1 -k2,2V | awk '{ last[$1] = $2 } END { for (k in last) printf "%s ", last[k] }')
  echo "$file: $machine, $(stat -c %s "$file") bytes; needs ${needed}; newest: ${newest}"
done
npx vitest run test/lib/pkcs11-layer-binaries.test.ts

log "2. under qemu: $SYSROOT/usr/bin/node"
# From a folder with no node_modules above it (as /var/task in Lambda), so only NODE_PATH resolves
# the packages: the repository's own node_modules hold the x86-64 builds.
RUN=$(mktemp -d)
trap 'rm -rf "$RUN"' EXIT
npx esbuild scripts/pkcs11-layer-check.ts --bundle --packages=external --platform=node --format=cjs --target=node18 \
  --log-level=warning --outfile="$RUN/pkcs11-layer-check.cjs"
NODE_PATH=$PWD/layers/pkcs11-binding/nodejs/node_modules \
  qemu-aarch64-static -L "$SYSROOT" "$SYSROOT/usr/bin/node" "$RUN/pkcs11-layer-check.cjs" "$PWD/layers/softhsm/lib/softhsm/libsofthsm2.so"
