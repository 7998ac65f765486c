#!/usr/bin/env bash
# Rebuilds the two Lambda layers committed under layers/ (layers/README.md), for Lambda's arm64
# Amazon Linux 2023 (glibc 2.34), on a Debian 12 machine without Docker:
#
#   layers/pkcs11-binding  nodejs/node_modules: graphene-pk11, pkcs11js (its pkcs11.node
#                          cross-compiled for arm64), koffi with its prebuilt arm64 binary, tslib
#   layers/softhsm         lib/softhsm/libsofthsm2.so (SoftHSM 2.6.1 cross-compiled, OpenSSL and
#                          libstdc++ linked in) and etc/softhsm2.conf (the token on EFS)
#
# Inputs: package-lock.json (the npm packages, checked against its integrity), layers/build/pins.env
# (Debian packages and checksums), layers/build/softhsm2-patches (Debian's patches). Work files go
# to .build/pkcs11-layer (PKCS11_LAYER_WORK). Run again, it reuses what it built from the same
# inputs. Only the cross compiler needs root: as root the script installs it with apt-get,
# otherwise it names the packages and stops. `cdk synth` needs none of this: it zips layers/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${PKCS11_LAYER_WORK:-$ROOT/.build/pkcs11-layer}
# shellcheck source=../layers/build/pins.env
source layers/build/pins.env
# shellcheck source=pkcs11-layer-apt.sh
source scripts/pkcs11-layer-apt.sh
HOST=aarch64-linux-gnu
JOBS=$(nproc 2>/dev/null || echo 2)

log() { echo "build-pkcs11-layer: $*" >&2; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
check_sha256() { # FILE EXPECTED
  local actual; actual=$(sha256_of "$1")
  [ "$actual" = "$2" ] || { log "$1: sha256 $actual, pinned $2 (layers/build/pins.env)"; exit 1; }
}
# npm's integrity string (sha512-<base64>) of a file.
integrity_of() { node -e 'const { createHash } = require("node:crypto"); console.log("sha512-" + createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$1"; }

# --- 1. Tools (root only for the cross compiler) -----------------------------------------------
tools=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross make patch)
missing=()
for pkg in "${tools[@]}"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg"); done
for cmd in apt-get dpkg-deb npm node sha256sum; do command -v "$cmd" >/dev/null || { log "needs $cmd"; exit 1; }; done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})"
    exit 1
  fi
fi

# --- 2. Inputs -----------------------------------------------------------------------------------
mkdir -p "$WORK"
layer_apt_setup "$WORK/apt"
DEBS=$WORK/debs
log "Debian packages (arm64)"
layer_apt_download "$DEBS" "libssl-dev:arm64=$OPENSSL_VERSION" "libssl3:arm64=$OPENSSL_VERSION"
LIBSSL_DEV_DEB=$DEBS/libssl-dev_${OPENSSL_VERSION/:/%3a}_arm64.deb
LIBSSL3_DEB=$DEBS/libssl3_${OPENSSL_VERSION/:/%3a}_arm64.deb
check_sha256 "$LIBSSL_DEV_DEB" "$LIBSSL_DEV_ARM64_SHA256"
check_sha256 "$LIBSSL3_DEB" "$LIBSSL3_ARM64_SHA256"

SRC=$WORK/source
mkdir -p "$SRC"
if [ ! -f "$SRC/$SOFTHSM2_ORIG" ] || [ "$(sha256_of "$SRC/$SOFTHSM2_ORIG")" != "$SOFTHSM2_ORIG_SHA256" ]; then
  log "softhsm2 $SOFTHSM2_SOURCE_VERSION source"
  # Only the orig tarball is used (the patches are in layers/build): a mirror that lacks the
  # Debian tarball makes apt-get fail after fetching the orig one, which is then checked.
  (cd "$SRC" && "${LAYER_APT[@]}" source --download-only "softhsm2=$SOFTHSM2_SOURCE_VERSION" >/dev/null 2>&1) || true
fi
check_sha256 "$SRC/$SOFTHSM2_ORIG" "$SOFTHSM2_ORIG_SHA256"

# The npm packages: what the native modules need at run time on linux/arm64, at the versions and
# with the integrity of package-lock.json (the same the functions were tested with).
NPM=$WORK/npm
mkdir -p "$NPM"
mapfile -t PACKAGES < <(node --input-type=module -e '
  import { readFileSync } from "node:fs";
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")).packages;
  const roots = ["graphene-pk11", "pkcs11js", "koffi"];
  const fits = (entry) => (!entry.os || entry.os.includes("linux")) && (!entry.cpu || entry.cpu.includes("arm64"));
  const seen = new Map();
  const visit = (name) => {
    if (seen.has(name)) return;
    const entry = lock[`node_modules/${name}`];
    if (entry === undefined || !fits(entry)) return;
    seen.set(name, entry);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) visit(dep);
  };
  roots.forEach(visit);
  for (const [name, entry] of [...seen].sort(([a], [b]) => a.localeCompare(b))) console.log(name, entry.version, entry.integrity);
')
fetch_npm() { # NAME VERSION INTEGRITY -> path of the verified tarball
  local name=$1 version=$2 integrity=$3 file
  file=$NPM/$(echo "${name#@}" | tr / -)-$version.tgz
  if [ ! -f "$file" ] || [ "$(integrity_of "$file")" != "$integrity" ]; then
    (cd "$NPM" && npm pack --silent "$name@$version" >/dev/null)
  fi
  [ "$(integrity_of "$file")" = "$integrity" ] || { log "$name@$version: integrity differs from the lock file / pins"; exit 1; }
  echo "$file"
}
HEADERS_TGZ=$(fetch_npm node-api-headers "$NODE_API_HEADERS_VERSION" "$NODE_API_HEADERS_INTEGRITY")
PKCS11JS_VERSION=
for line in "${PACKAGES[@]}"; do
  read -r name version _ <<<"$line"
  [ "$name" = pkcs11js ] && PKCS11JS_VERSION=$version
done
[ -n "$PKCS11JS_VERSION" ] || { log "package-lock.json has no pkcs11js"; exit 1; }

# Every input, hashed: a build from the same inputs is reused.
INPUTS_HASH=$( { printf '%s\n' "${PACKAGES[@]}"; cat layers/build/pins.env layers/build/softhsm2-patches/*.patch "$ROOT/scripts/build-pkcs11-layer.sh"; } | sha256sum | cut -d' ' -f1)

# Flags as Debian builds the package for arm64 (dpkg-buildflags, hardening=+all); the work folder
# is mapped away (-ffile-prefix-map) so the output, build ID included, does not depend on it.
HARDENING="-g -O2 -fstack-protector-strong -Wformat -Werror=format-security"
CPPHARDENING="-Wdate-time -D_FORTIFY_SOURCE=2"
LINK_HARDENING="-Wl,-z,relro -Wl,-z,now"
# libstdc++ is linked in (Lambda's may be older than Debian's); libgcc_s stays shared: the static
# unwinder of Debian's gcc 12 calls _dl_find_object (glibc 2.35), and Lambda's node loads
# libgcc_s.so.1 anyway (its libstdc++.so.6 needs it).
RUNTIME_LINK="-static-libstdc++ -shared-libgcc -Wl,--exclude-libs,ALL -Wl,--gc-sections -Wl,--as-needed"

# --- 3. SoftHSM ----------------------------------------------------------------------------------
SOFTHSM_OUT=$WORK/out/libsofthsm2.so
if [ "$(cat "$WORK/out/softhsm.stamp" 2>/dev/null)" != "$INPUTS_HASH" ] || [ ! -f "$SOFTHSM_OUT" ]; then
  log "building SoftHSM 2.6.1 for $HOST (a few minutes)"
  rm -rf "$WORK/openssl" "$WORK/softhsm2-2.6.1" && mkdir -p "$WORK/openssl" "$WORK/out"
  dpkg-deb -x "$LIBSSL_DEV_DEB" "$WORK/openssl/deb" && dpkg-deb -x "$LIBSSL3_DEB" "$WORK/openssl/deb"
  # A prefix holding the static libcrypto only, so the link cannot pick the shared one.
  OSSL=$WORK/openssl/prefix
  mkdir -p "$OSSL/include/openssl" "$OSSL/lib"
  cp "$WORK"/openssl/deb/usr/include/openssl/* "$WORK"/openssl/deb/usr/include/$HOST/openssl/* "$OSSL/include/openssl/"
  cp "$WORK/openssl/deb/usr/lib/$HOST/libcrypto.a" "$OSSL/lib/"
  tar -xzf "$SRC/$SOFTHSM2_ORIG" -C "$WORK"
  S=$WORK/softhsm2-2.6.1
  for patch in layers/build/softhsm2-patches/*.patch; do patch -s -d "$S" -p1 <"$patch"; done
  (
    cd "$S"
    # Debian's configure flags (debian/rules; --with-migrate needs SQLite and builds a tool only),
    # without p11-kit (nothing registers the module here). ECC and EdDSA cannot be probed when
    # cross-compiling: configure assumes them, and OpenSSL 3.0 has both (the check uses P-256).
    # The configuration path is the layer's.
    ./configure -q --host=$HOST --build="$(uname -m)-linux-gnu" \
      --prefix=/opt --sysconfdir=/opt/etc --localstatedir=/var \
      --with-crypto-backend=openssl --with-openssl="$OSSL" --with-pic \
      --disable-gost --enable-ecc --enable-eddsa --disable-p11-kit --disable-fips \
      CC=$HOST-gcc CXX=$HOST-g++ \
      CFLAGS="$HARDENING -ffile-prefix-map=$WORK=." CXXFLAGS="$HARDENING -ffile-prefix-map=$WORK=." \
      CPPFLAGS="$CPPHARDENING" LDFLAGS="$LINK_HARDENING" LIBS="-pthread" >"$WORK/softhsm-configure.log" 2>&1 ||
      { tail -40 "$WORK/softhsm-configure.log" >&2; exit 1; }
    make -s -j"$JOBS" -C src/lib >"$WORK/softhsm-make.log" 2>&1 || { tail -40 "$WORK/softhsm-make.log" >&2; exit 1; }
    # libtool links C++ libraries with -nostdlib and its own list, which drops -static-libstdc++:
    # the library is linked here from the objects libtool built, exporting only the C_ functions.
    cd src/lib
    echo '{ global: C_*; local: *; };' >"$WORK/softhsm.map"
    $HOST-g++ -shared -fPIC -pthread -o "$WORK/out/libsofthsm2.unstripped.so" -Wl,-soname,libsofthsm2.so \
      .libs/access.o .libs/main.o .libs/P11Attributes.o .libs/P11Objects.o .libs/SoftHSM.o \
      -Wl,--whole-archive common/.libs/libsofthsm_common.a crypto/.libs/libsofthsm_crypto.a \
        data_mgr/.libs/libsofthsm_datamgr.a handle_mgr/.libs/libsofthsm_handlemgr.a \
        object_store/.libs/libsofthsm_objectstore.a session_mgr/.libs/libsofthsm_sessionmgr.a \
        slot_mgr/.libs/libsofthsm_slotmgr.a -Wl,--no-whole-archive \
      "$OSSL/lib/libcrypto.a" $RUNTIME_LINK -Wl,--version-script="$WORK/softhsm.map" $LINK_HARDENING
  )
  $HOST-strip --strip-unneeded -o "$SOFTHSM_OUT" "$WORK/out/libsofthsm2.unstripped.so"
  cp "$WORK/softhsm2-2.6.1/LICENSE" "$WORK/out/softhsm2.LICENSE"
  cp "$WORK/openssl/deb/usr/share/doc/libssl3/copyright" "$WORK/out/openssl.copyright"
  echo "$INPUTS_HASH" >"$WORK/out/softhsm.stamp"
fi

# --- 4. pkcs11js ---------------------------------------------------------------------------------
BINDING_OUT=$WORK/out/pkcs11.node
if [ "$(cat "$WORK/out/pkcs11js.stamp" 2>/dev/null)" != "$INPUTS_HASH" ] || [ ! -f "$BINDING_OUT" ]; then
  log "building pkcs11js $PKCS11JS_VERSION for $HOST (Node-API $NAPI_VERSION)"
  P=$WORK/pkcs11js-build
  rm -rf "$P" && mkdir -p "$P/src" "$P/headers" "$WORK/out"
  for line in "${PACKAGES[@]}"; do
    read -r name version integrity <<<"$line"
    [ "$name" = pkcs11js ] && tar -xzf "$(fetch_npm "$name" "$version" "$integrity")" -C "$P/src" --strip-components=1
  done
  tar -xzf "$HEADERS_TGZ" -C "$P/headers" --strip-components=1
  # What node-gyp compiles for binding.gyp (Release), for arm64 and with the runtime linked as above.
  DEFS="-DNODE_GYP_MODULE_NAME=pkcs11 -DUSING_UV_SHARED=1 -DUSING_V8_SHARED=1 -DV8_DEPRECATION_WARNINGS=1
    -D_GLIBCXX_USE_CXX11_ABI=1 -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D__STDC_FORMAT_MACROS
    -DNAPI_DISABLE_CPP_EXCEPTIONS -DBUILDING_NODE_EXTENSION -DNAPI_VERSION=$NAPI_VERSION"
  for unit in dl common main; do
    # shellcheck disable=SC2086
    $HOST-g++ $DEFS -I"$P/headers/include" -I"$P/src/includes" -fPIC -pthread -Wall -Wextra -Wno-unused-parameter \
      -O3 -fno-omit-frame-pointer -fno-rtti -fno-exceptions -std=gnu++17 -fstack-protector-strong \
      -ffile-prefix-map="$WORK=." -c "$P/src/src/$unit.cpp" -o "$P/$unit.o" 2>>"$WORK/pkcs11js-build.log"
  done
  echo '{ global: napi_register_module_v1; node_api_module_get_api_version_v1; local: *; };' >"$P/exports.map"
  # shellcheck disable=SC2086
  $HOST-g++ -shared -pthread -o "$P/pkcs11.node" "$P/dl.o" "$P/common.o" "$P/main.o" \
    $RUNTIME_LINK -Wl,--version-script="$P/exports.map" $LINK_HARDENING
  $HOST-strip --strip-unneeded -o "$BINDING_OUT" "$P/pkcs11.node"
  echo "$INPUTS_HASH" >"$WORK/out/pkcs11js.stamp"
fi

# --- 5. The layer folders ------------------------------------------------------------------------
log "writing layers/pkcs11-binding and layers/softhsm"
BIND=layers/pkcs11-binding/nodejs/node_modules
rm -rf layers/pkcs11-binding/nodejs && mkdir -p "$BIND"
for line in "${PACKAGES[@]}"; do
  read -r name version integrity <<<"$line"
  mkdir -p "$BIND/$name"
  tar -xzf "$(fetch_npm "$name" "$version" "$integrity")" -C "$BIND/$name" --strip-components=1 --no-same-owner
done
mkdir -p "$BIND/pkcs11js/build/Release" && cp "$BINDING_OUT" "$BIND/pkcs11js/build/Release/pkcs11.node"
# What Node.js never loads at run time: documentation, type declarations, sources and build files
# of the native parts, the musl build of koffi (Lambda is glibc), graphene's ES2015 copy (its
# package has no exports map, so `import` and `require` both load build/cjs).
find "$BIND" -type f \( -iname 'README*' -o -iname 'CHANGELOG*' -o -iname 'CODE_OF_CONDUCT*' -o -iname 'CONTRIBUTING*' \
  -o -iname 'SECURITY.md' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.html' \) -delete
rm -rf "$BIND/pkcs11js/src" "$BIND/pkcs11js/includes" "$BIND/pkcs11js/binding.gyp" \
  "$BIND/graphene-pk11/build/es2015" "$BIND/graphene-pk11/build/types" \
  "$BIND/koffi/vendor" "$BIND/koffi/doc" "$BIND/koffi/lib" "$BIND/@koromix/koffi-linux-arm64/musl_arm64"
find "$BIND/koffi/src" -type f ! -name '*.js' ! -name '*.cjs' -delete
find "$BIND" -type d -empty -delete
# The same modes wherever the script runs (umask), as git keeps them.
chmod -R u+rwX,go+rX,go-w layers/pkcs11-binding

HSM=layers/softhsm
rm -rf "$HSM/lib" "$HSM/share" && mkdir -p "$HSM/lib/softhsm" "$HSM/etc" "$HSM/share/licenses/softhsm2" "$HSM/share/licenses/openssl"
cp "$SOFTHSM_OUT" "$HSM/lib/softhsm/libsofthsm2.so"
cp "$WORK/out/softhsm2.LICENSE" "$HSM/share/licenses/softhsm2/LICENSE"
cp "$WORK/out/openssl.copyright" "$HSM/share/licenses/openssl/copyright"
cat >"$HSM/etc/softhsm2.conf" <<'EOF'
# SoftHSM v2 configuration of the open-kms SoftHSM layer: /opt/etc/softhsm2.conf in the function
# (SOFTHSM2_CONF points here, and it is also the library's compiled-in default). The tokens live
# at the top of the EFS access point the functions mount at /mnt/token, a folder that exists from
# the first mount on, so C_Initialize succeeds before any token has been made.
directories.tokendir = /mnt/token
objectstore.backend = file
log.level = ERROR
slots.removable = false
slots.mechanisms = ALL
library.reset_on_fork = false
EOF
chmod -R u+rwX,go+rX,go-w "$HSM"

# --- 6. The manifest: what each shipped file is, from which inputs ------------------------------
{
  echo "# Written by scripts/build-pkcs11-layer.sh; test/lib/pkcs11-layer-binaries.test.ts checks it."
  echo "# inputs"
  printf 'npm %s\n' "${PACKAGES[@]}"
  echo "npm node-api-headers $NODE_API_HEADERS_VERSION $NODE_API_HEADERS_INTEGRITY (build only)"
  echo "deb libssl-dev:arm64 $OPENSSL_VERSION sha256:$LIBSSL_DEV_ARM64_SHA256"
  echo "deb libssl3:arm64 $OPENSSL_VERSION sha256:$LIBSSL3_ARM64_SHA256"
  echo "dsc softhsm2 $SOFTHSM2_SOURCE_VERSION $SOFTHSM2_ORIG sha256:$SOFTHSM2_ORIG_SHA256"
  for patch in layers/build/softhsm2-patches/*.patch; do echo "patch $(basename "$patch") sha256:$(sha256_of "$patch")"; done
  echo "compiler $($HOST-gcc --version | head -1)"
  echo "# files (sha256, bytes, path)"
  find layers/pkcs11-binding layers/softhsm -type f | LC_ALL=C sort | while read -r file; do
    echo "$(sha256_of "$file") $(stat -c %s "$file") $file"
  done
} >layers/MANIFEST.txt
du -sh layers/pkcs11-binding layers/softhsm >&2
log "done; check with: bash scripts/check-pkcs11-layer.sh"
