# Sourced by scripts/build-pkcs11-layer.sh and scripts/check-pkcs11-layer.sh: an apt of their own
# (lists and downloads under "$1", nothing under /etc or /var changes), reading the Debian bookworm
# entries of this machine's apt sources with arm64 packages and source packages added. It needs
# no root and no `dpkg --add-architecture`: packages are only downloaded and unpacked, never installed.

# layer_apt_setup DIR: writes the sources into DIR and runs apt-get update there.
layer_apt_setup() {
  local dir=$1
  mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
  : >"$dir/sources.list"
  rm -f "$dir"/sources.list.d/*
  # One-line entries: `deb [options] URI bookworm... components` gets its deb-src twin.
  local list
  for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$list" ] || continue
    awk '$1 == "deb" {
      opts = ""; i = 2
      if ($2 ~ /^\[/) { while ($i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
      gsub(/ *arch=[^] ]*/, "", opts); if (opts ~ /^ *\[ *\] *$/) opts = ""
      if ($(i + 1) !~ /^bookworm/) next
      rest = ""; for (j = i; j <= NF; j++) rest = rest " " $j
      print "deb" opts rest; print "deb-src" opts rest
    }' "$list" >>"$dir/sources.list"
  done
  # deb822 entries: every stanza for a bookworm suite, as deb and deb-src, for any architecture.
  local sources n=0
  for sources in /etc/apt/sources.list.d/*.sources; do
    [ -f "$sources" ] || continue
    n=$((n + 1))
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
      /(^|\n)Suites:[^\n]*bookworm/ && /(^|\n)Types:[^\n]*deb/ && !/(^|\n)Enabled: *no/ {
        out = ""; k = split($0, lines, "\n")
        for (l = 1; l <= k; l++) {
          if (lines[l] ~ /^Types:/) lines[l] = "Types: deb deb-src"
          if (lines[l] ~ /^Architectures:/) continue
          out = out lines[l] "\n"
        }
        printf "%s", out; printf "\n"
      }' "$sources" >"$dir/sources.list.d/$n.sources"
  done
  if ! grep -q . "$dir/sources.list" "$dir"/sources.list.d/* 2>/dev/null; then
    echo "No Debian bookworm entry in this machine's apt sources: the layer is built from bookworm's packages." >&2
    return 1
  fi
  LAYER_APT=(apt-get -q
    -o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/sources.list.d"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
    -o "APT::Architectures::=arm64" -o "Acquire::Languages=none")
  # As root apt drops to the _apt user, which cannot write into the caller's folders.
  [ "$(id -u)" = 0 ] && LAYER_APT+=(-o "APT::Sandbox::User=root")
  "${LAYER_APT[@]}" update >"$dir/update.log" 2>&1 || { cat "$dir/update.log" >&2; return 1; }
}

# layer_apt_download DIR PACKAGE=VERSION...: downloads the .deb files into DIR (kept when present).
layer_apt_download() {
  local dir=$1; shift
  mkdir -p "$dir"
  (cd "$dir" && "${LAYER_APT[@]}" download "$@" >/dev/null)
}
