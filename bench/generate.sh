#!/usr/bin/env bash
# Benchmark: generating the default suite on this machine (target: <= 5 s on 2 cores).
# Usage: bench/generate.sh [BUILD_DIR] [RUNS]
# Prints each run's wall time and peak memory, then the median.
set -euo pipefail
build=${1:-build}
runs=${2:-5}
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
out=$(mktemp -d /tmp/cp-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

times=()
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %M" -o "$out/time" "$bin" generate -o "$out/suite" --time 2026-11-29T05:00:00Z \
    >"$out/log"
  read -r secs kb <"$out/time"
  times+=("$secs")
  printf 'run %d: %6.2f s  peak %6.1f MB  (%s)\n' "$i" "$secs" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" \
    "$(head -1 "$out/log")"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: $median s over $runs runs ($(nproc) cores)"
