#!/usr/bin/env bash
# Installs what certpath needs from Debian's packages, only what is missing, on Debian 12
# (bookworm) or Debian 13 (trixie): the release is read from /etc/os-release. A package the
# release does not have is left out with a line naming the row it costs; it never fails the
# install.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

os_release=${CERTPATH_OS_RELEASE:-/etc/os-release}
[ -r "$os_release" ] || { echo "install-deps: $os_release cannot be read" >&2; exit 1; }
# In a subshell: os-release is shell assignments, but its names must not leak into this script.
read -r os_id os_version os_codename < <(
  . "$os_release"
  echo "${ID:-?} ${VERSION_ID:-?} ${VERSION_CODENAME:-?}"
)
case "$os_id:$os_version" in
  debian:12 | debian:13) release=$os_version ;;
  *)
    echo "install-deps: $os_id $os_version ($os_codename) is not supported: certpath installs" \
      "on Debian 12 or Debian 13 (see $os_release)" >&2
    exit 1
    ;;
esac
echo "install-deps: Debian $release ($os_codename)"

# One line per package: the releases that ship it (12, 13 or 12,13), the package, and what it
# is for (the row or part that goes without it).
table=$(cat <<'EOF'
12,13 build-essential             building
12,13 cmake                       building
12,13 pkg-config                  building
12,13 libmbedtls-dev              minting, the built-in server and the mbedtls row
12,13 libcjson-dev                manifest and results JSON
12,13 libcriterion-dev            the tests
12,13 libssl-dev                  the openssl row; tests: an independent parser for what we mint
12,13 libgnutls28-dev             the gnutls row
12,13 libnss3-dev                 the nss row
12,13 libbotan-2-dev              the botan row on Debian 12, botan2 on Debian 13 (Botan 2's C FFI)
13    libbotan-3-dev              the botan row (Botan 3's C FFI)
12,13 android-libboringssl-dev    the boringssl row (Debian's copy for Android tools)
12,13 libcurl4-openssl-dev        the curl rows' headers (the module loads libcurl at run time)
12,13 libcurl4                    the curl-openssl row
12,13 libcurl3-gnutls             the curl-gnutls row
12    libcurl3-nss                the curl-nss row
12,13 libwolfssl-dev              the wolfssl row
12    openjdk-17-jdk-headless     the java and java-certpath rows (javac at build time)
13    openjdk-21-jdk-headless     the java and java-certpath rows (javac at build time)
12,13 nodejs                      the pkijs and node rows
12,13 cargo                       the webpki row (built offline from Debian's crates)
12,13 librust-webpki-dev          the webpki row
12,13 librust-serde-json-dev      the webpki and rustls-webpki rows
13    librust-rustls-webpki-dev   the rustls-webpki row (0.102, with ring)
12,13 openssl                     tests: openssl verify on generated cases
12,13 golang-go                   the go row (standard library only, built offline)
12,13 time                        bench/: wall time and peak memory
12,13 clang                       fuzz/: the libFuzzer targets (.ci/run, bench/fuzz.sh)
12    libclang-rt-14-dev          fuzz/: libFuzzer and the sanitizers' runtime for clang 14
13    libclang-rt-19-dev          fuzz/: libFuzzer and the sanitizers' runtime for clang 19
12,13 python3                     the python row
12,13 python3-jsonschema          tests: results against their JSON Schema
12,13 python3-junitparser         tests: the JUnit report read back by a real JUnit consumer
12,13 chromium                    the chromium row; tests: the HTML report rendered headless
12,13 libnss3-tools               the chromium row: certutil sets the browser's NSS trust per case
12,13 firefox-esr                 the firefox row (driven over Marionette)
EOF
)

# What each release lacks, and why the row it served cannot run there.
declare -A gone=(
  [12:libbotan-3-dev]="Debian 12 has only Botan 2, which is the botan row there"
  [13:libcurl3-nss]="Debian 13's libcurl 8 has no NSS backend (curl 8.3 removed it): the curl-nss row is not runnable on Debian 13"
  [12:openjdk-21-jdk-headless]="Debian 12 has OpenJDK 17, installed instead"
  [13:openjdk-17-jdk-headless]="Debian 13 has OpenJDK 21, installed instead"
  [12:libclang-rt-19-dev]="Debian 12's clang is 14: libclang-rt-14-dev, installed instead"
  [13:libclang-rt-14-dev]="Debian 13's clang is 19: libclang-rt-19-dev, installed instead"
  [12:librust-rustls-webpki-dev]="Debian 12 has no rustls-webpki crate (not in bookworm or bookworm-backports): the rustls-webpki row is not runnable on Debian 12"
)

wanted=()
while read -r releases pkg purpose; do
  [ -n "$pkg" ] || continue
  if [[ ",$releases," == *",$release,"* ]]; then
    wanted+=("$pkg")
  else
    # Said once, so a reader of the log knows which row the release costs.
    echo "install-deps: leaving out $pkg (for $purpose): ${gone[$release:$pkg]:-Debian $release does not have it}"
  fi
done <<<"$table"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for p in "${wanted[@]}"; do
  installed "$p" || missing+=("$p")
done
# npm installs PKI.js for the pkijs verifier: Debian's npm, unless the installed nodejs brings
# its own (NodeSource's does, and conflicts with Debian's npm package).
command -v npm >/dev/null || installed npm || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq

# A package the archive does not offer (a mirror or a point release without it) is left out
# with the row it costs, instead of failing the whole install.
available=()
for p in "${missing[@]}"; do
  if apt-cache show --no-all-versions "$p" >/dev/null 2>&1; then
    available+=("$p")
  else
    purpose=$(awk -v p="$p" '$2 == p { $1 = ""; $2 = ""; sub(/^  */, ""); print }' <<<"$table")
    echo "install-deps: leaving out $p (for ${purpose:-pkijs}): the archive does not offer it"
  fi
done
[ ${#available[@]} -gt 0 ] || exit 0
echo "install-deps: installing ${available[*]}"
$sudo apt-get install -y -qq --no-install-recommends "${available[@]}" >/dev/null
