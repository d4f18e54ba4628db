#!/usr/bin/env bash
# certpath for a TLS library's own CI: build the library from its source tree, build certpath's
# adapter against that build (cmake -DCP_<STACK>_ROOT), run the suite in-process and over the
# wire, gate on the baseline the library keeps, and write JUnit, HTML and Markdown.
#
# Usage: scripts/test-library.sh STACK SOURCE_DIR [options]
#   STACK       mbedtls | openssl | wolfssl | gnutls | curl
#   SOURCE_DIR  the library's source tree (a checkout, or an unpacked source package)
# Options:
#   --out DIR         where results/ and the reports go (default ./certpath-out)
#   --cache DIR       build cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/certpath): the library's
#                     install prefix and certpath's build, reused while the source is unchanged
#   --baseline FILE   gate on it: exit 1 when a case regressed (docs/baselines.md)
#   --make-baseline FILE  write a baseline from this run instead of gating
#   --filter GLOB     run only these cases (and the controls)
#   --jobs N          parallel jobs (default: the number of cores)
# Exit: 0 when the runs completed (and no case regressed with --baseline), 1 for a regression,
# 2 for bad usage, anything else when a step failed (its log is named).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
stack=$1 src=$2
shift 2
out=$PWD/certpath-out cache=${XDG_CACHE_HOME:-$HOME/.cache}/certpath baseline="" make_baseline=""
filter="" jobs=$(nproc)
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --make-baseline) make_baseline=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "test-library: unknown option $1" >&2; usage ;;
  esac
done
[ -d "$src" ] || { echo "test-library: $src is not a directory" >&2; exit 2; }
# Paths given relative to where the script was called from stay so after it changes directory.
[ -z "$baseline" ] || baseline=$(realpath -m "$baseline")
[ -z "$make_baseline" ] || make_baseline=$(realpath -m "$make_baseline")
src=$(cd "$src" && pwd)
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd) cache=$(cd "$cache" && pwd)

# The cache key: the source tree's identity (its git revision, or its files' names, sizes and
# modification times) and the build recipe's version below (raise it when build_library
# changes), so an unchanged tree is not rebuilt.
recipe_version=1
key() {
  { echo "$stack $recipe_version"
    git -C "$src" rev-parse HEAD 2>/dev/null && git -C "$src" status --porcelain 2>/dev/null ||
      find "$src" -type f -not -path '*/.git/*' -printf '%P %s %T@\n' | sort; } |
    sha256sum | cut -c1-16
}
id=$(key)
prefix=$cache/$stack-$id/prefix
log=$cache/$stack-$id/build.log
mkdir -p "$cache/$stack-$id"

step() { echo "== test-library: $*"; }
fail() { echo "test-library: $1 failed; its log: $2" >&2; tail -20 "$2" >&2; exit 3; }

build_library() {
  local b=$cache/$stack-$id/build
  rm -rf "$b" "$prefix"
  case $stack in
    mbedtls)
      cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Release -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF \
        -DUSE_SHARED_MBEDTLS_LIBRARY=ON -DUSE_STATIC_MBEDTLS_LIBRARY=OFF \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib &&
        cmake --build "$b" -j"$jobs" && cmake --install "$b" ;;
    openssl)
      mkdir -p "$b" && cd "$b" &&
        "$src/Configure" --prefix="$prefix" --libdir=lib shared no-tests no-docs &&
        make -j"$jobs" && make install_sw ;;
    wolfssl)
      # What certpath's wolfSSL adapter calls (X.509 store, time callback, CRL-free verify), as
      # Debian builds it.
      mkdir -p "$b" && cd "$b" &&
        { [ -x "$src/configure" ] || (cd "$src" && ./autogen.sh); } &&
        "$src/configure" --prefix="$prefix" --libdir="$prefix/lib" --enable-distro \
          --disable-examples --disable-crypttests &&
        make -j"$jobs" && make install ;;
    gnutls)
      mkdir -p "$b" && cd "$b" &&
        { [ -x "$src/configure" ] || (cd "$src" && ./bootstrap); } &&
        "$src/configure" --prefix="$prefix" --libdir="$prefix/lib" --disable-doc --disable-tests \
          --disable-tools --without-p11-kit --with-included-unistring &&
        make -j"$jobs" && make install ;;
    curl)
      mkdir -p "$b" && cd "$b" &&
        { [ -x "$src/configure" ] || (cd "$src" && autoreconf -fi); } &&
        "$src/configure" --prefix="$prefix" --libdir="$prefix/lib" --with-openssl \
          --without-libpsl --disable-docs --disable-manual &&
        make -j"$jobs" && make install ;;
    *) echo "test-library: unknown stack $stack (mbedtls, openssl, wolfssl, gnutls, curl)" >&2
       exit 2 ;;
  esac
}

if [ -f "$prefix/.certpath-built" ]; then
  step "$stack from $src: cached in $prefix"
else
  step "building $stack from $src into $prefix"
  ( build_library ) >"$log" 2>&1 || fail "building $stack" "$log"
  touch "$prefix/.certpath-built"
fi

# certpath, with the adapter against that build (curl needs none: the row loads the library).
# One build per certpath checkout (a CMake build directory belongs to one source directory).
cp_build=$cache/$stack-$id/certpath-$(printf '%s' "$here" | sha256sum | cut -c1-8)
root_opt=()
upper=$(echo "$stack" | tr '[:lower:]' '[:upper:]')
[ "$stack" = curl ] || root_opt=(-DCP_"$upper"_ROOT="$prefix")
step "building certpath against it (${root_opt[*]:-no adapter needed})"
# Only the C adapters: the verifiers in other languages are not what a library's CI measures.
no_verifiers=()
for v in GO JAVA PKIJS WEBPKI PYTHON NODE CHROMIUM FIREFOX; do no_verifiers+=(-DCP_VERIFIER_$v=OFF); done
cmake -S "$here" -B "$cp_build" -DCP_BUILD_TESTS=OFF "${no_verifiers[@]}" "${root_opt[@]}" \
  >"$cp_build.log" 2>&1 &&
  cmake --build "$cp_build" -j"$jobs" >>"$cp_build.log" 2>&1 || fail "building certpath" "$cp_build.log"
certpath=$cp_build/certpath

# The row: <stack>@<version> of the build, or curl with the built libcurl.
if [ "$stack" = curl ]; then
  row="curl:$prefix/lib/libcurl.so"
  modes=(wire)
else
  row=$("$certpath" stacks 2>/dev/null | awk -v s="$stack@" 'index($1, s) == 1 {print $1; exit}')
  [ -n "$row" ] || { echo "test-library: certpath stacks lists no $stack@ row" >&2; exit 3; }
  modes=(inproc wire)
  [ "$stack" = wolfssl ] && modes=(wire) # certpath drives wolfSSL through its TLS client only
fi
"$certpath" stacks | grep -A1 "^${row%%:*}" || true

cd "$out"
[ -d suite ] || { step "generating the suite"; "$certpath" generate -o suite >generate.log 2>&1 ||
  fail "generating the suite" "$out/generate.log"; }
status=0
for mode in "${modes[@]}"; do
  args=(run --stack "$row" --mode "$mode" --suite suite -j"$jobs")
  [ -n "$filter" ] && args+=(--filter "$filter")
  [ -n "$baseline" ] && args+=(--baseline "$baseline")
  step "certpath ${args[*]}"
  set +e
  "$certpath" "${args[@]}" | tee "run-$mode.log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -eq 1 ] && [ -n "$baseline" ]; then status=1; elif [ "$rc" -ne 0 ]; then status=$rc; fi
done
if [ -n "$make_baseline" ]; then
  "$certpath" baseline results/*.json -o "$make_baseline" --reasons "$here/expected/baselines/reasons.json"
  step "baseline written: $make_baseline"
fi
gate=()
[ -n "$baseline" ] && gate=(--baseline "$baseline")
"$certpath" report results/*.json --suite suite --junit junit.xml --html certpath.html \
  --markdown summary.md "${gate[@]}" >report.log 2>&1 || { [ "$status" -ne 0 ] || status=$?; }
step "reports: $out/junit.xml, $out/certpath.html, $out/summary.md (exit $status)"
exit "$status"
