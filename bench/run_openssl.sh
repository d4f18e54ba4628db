#!/usr/bin/env bash
# Benchmark: the full default suite against `openssl` in-process with -j2, next to the floor
# (the same verify() calls in one process, no workers). Targets: <= 0.5 ms per case, <= 1.5x the
# floor, peak memory <= 64 MB.
# Usage: bench/run_openssl.sh [BUILD_DIR] [STACK]
set -euo pipefail
build=${1:-build}
stack=${2:-openssl}
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
work=$(mktemp -d /tmp/cp-bench-run.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bin" generate -o "$work/suite" >/dev/null
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" run --stack "$stack" -j2 --suite "$work/suite" \
  --no-regenerate -o "$work/results.json" >"$work/log" || true
read -r secs kb <"$work/time"
cases=$(grep -o '"microseconds":' "$work/results.json" | wc -l)
floor=$("$bin" __floor "$stack" "$work/suite")
floor_ms=$(echo "$floor" | awk '{print $(NF-3)}')
awk -v s="$secs" -v n="$cases" -v kb="$kb" -v f="$floor_ms" -v st="$stack" 'BEGIN {
  ms = s * 1000 / n
  printf "%s -j2: %d cases in %.2f s = %.3f ms per case; peak %.1f MB\n", st, n, s, ms, kb / 1024
  printf "floor (one process, no workers): %.3f ms per case; ratio %.2fx\n", f, ms / f
}'
