#!/usr/bin/env bash
# Installs what certpath needs from Debian's packages, only what is missing.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libmbedtls-dev   # minting (and later the TLS server)
  libcjson-dev     # manifest and results JSON
  libcriterion-dev # tests
  libssl-dev       # the openssl adapter; tests: an independent parser for what we mint
  libgnutls28-dev  # the gnutls adapter
  libnss3-dev      # the nss adapter
  libbotan-2-dev   # the botan adapter
  android-libboringssl-dev # the boringssl adapter (Debian's copy for Android tools)
  libcurl4-openssl-dev # the curl adapter's headers (the module loads libcurl at run time)
  libcurl4 libcurl3-gnutls libcurl3-nss # libcurl on OpenSSL, GnuTLS and NSS: curl-* rows
  libwolfssl-dev   # the wolfssl adapter
  openjdk-17-jdk-headless # the java and java-certpath verifiers (javac at build time)
  nodejs           # the pkijs verifier (and the node verifier)
  cargo librust-webpki-dev librust-serde-json-dev # the webpki verifier, built offline
  openssl          # tests: openssl verify on generated cases
  golang-go        # the go exec verifier (standard library only, built offline)
  time             # bench/: wall time and peak memory
  python3-jsonschema # tests: results against their JSON Schema
  python3-junitparser # tests: the JUnit report read back by a real JUnit consumer
  chromium         # tests: the HTML report rendered headless, offline
  libnss3-tools    # the chromium verifier: certutil sets the browser's NSS trust per case
  firefox-esr      # the firefox verifier (driven over Marionette)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm installs PKI.js for the pkijs verifier: Debian's npm, unless the installed nodejs brings
# its own (NodeSource's does, and conflicts with Debian's npm package).
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
