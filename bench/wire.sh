#!/usr/bin/env bash
# Benchmark: the full default suite over the wire (`--mode wire -j2`: one real handshake per case
# against the built-in mbedTLS server), by default with curl on OpenSSL (libcurl's HTTPS client,
# a fresh easy handle per case, under the clock shim), next to the same suite in-process with
# OpenSSL (`--stack openssl -j2`, X509_verify_cert). Target: >= 300 cases per second over the
# wire. Any wire stack can be measured the same way (e.g. `openssl`: libssl's own client).
# Usage: bench/wire.sh [BUILD_DIR] [RUNS] [WIRE_STACK]
# Prints each run's wall time, CPU time and cases per second, then the medians, and the load
# average before and after (the figures mean little on a machine that is busy with other work).
# Cases the server cannot send (a Certificate message over mbedTLS's 16 KiB) are skipped by the
# run and counted apart; the rate is over every case of the suite, the whole command timed
# (start-up included).
set -euo pipefail
build=${1:-build}
runs=${2:-3}
stack=${3:-curl-openssl}
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
work=$(mktemp -d /tmp/cp-bench-wire.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bin" generate -o "$work/suite" >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# run MODE STACK OUT: one timed run; prints "wall cpu cases skipped"
run() {
  local mode=$1 stack=$2 out=$3
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" run --stack "$stack" --mode "$mode" -j2 \
    --suite "$work/suite" --no-regenerate -o "$out" >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; exit 1; }
  read -r secs user sys <"$work/time"
  local cases skipped
  cases=$(grep -c '"outcome":[[:space:]]*"[a-z]*"' "$out" || true)
  skipped=$(grep -c '"outcome":[[:space:]]*"skip"' "$out" || true)
  echo "$secs $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') $cases $skipped"
}

report() {
  local label=$1 file=$2
  awk -v label="$label" '{
    printf "%-26s run %d: %6.2f s wall, %6.2f s CPU, %4d cases (%d skipped): %5.0f cases/s\n",
           label, NR, $1, $2, $3, $4, $3 / $1 }' "$file"
  # The median run by wall time (mawk has no sort of its own).
  sort -n "$file" | awk -v label="$label" '{ line[NR] = $0 } END {
    split(line[int((NR + 1) / 2)], f, " ")
    printf "%-26s median: %.2f s wall = %.0f cases/s, %.0f run (not skipped) per s; %.2f ms CPU per case\n",
           label, f[1], f[3] / f[1], (f[3] - f[4]) / f[1], f[2] * 1000 / f[3] }'
}

: >"$work/wire.txt"
: >"$work/inproc.txt"
for i in $(seq "$runs"); do
  run wire "$stack" "$work/wire.json" >>"$work/wire.txt"
  run inproc openssl "$work/inproc.json" >>"$work/inproc.txt"
done
version=$(grep -o '"version":[[:space:]]*"[^"]*"' "$work/wire.json" | head -1 | cut -d'"' -f4)
echo "default suite, -j2, $(nproc) cores; $stack: $version"
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
report "$stack (wire)" "$work/wire.txt"
report "openssl (in-process)" "$work/inproc.txt"
