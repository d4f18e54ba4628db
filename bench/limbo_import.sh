#!/usr/bin/env bash
# Benchmark: `certpath import` of a ~40 MB limbo.json (the default suite exported twice into one
# file, about the size of upstream's limbo.json with BetterTLS's suites). Target: <= 10 s and
# <= 200 MB peak. The import writes a file or three per case, so the file system counts: give a
# tmpfs as OUT_PARENT to see the importer's own cost.
# Usage: bench/limbo_import.sh [BUILD_DIR] [RUNS] [OUT_PARENT]
set -euo pipefail
build=${1:-build}
runs=${2:-3}
parent=${3:-/tmp}
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
out=$(mktemp -d "$parent/cp-bench-limbo.XXXXXX")
trap 'rm -rf "$out"' EXIT

"$bin" generate -o "$out/suite" --time 2026-11-29T05:00:00Z >/dev/null
"$bin" export --format limbo --suite "$out/suite" --copies 2 -o "$out/limbo.json" >/dev/null
size=$(stat -c %s "$out/limbo.json")
times=()
for i in $(seq "$runs"); do
  rm -rf "$out/imported"
  /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$bin" import "$out/limbo.json" -o "$out/imported" \
    >"$out/log"
  read -r secs kb user sys <"$out/time"
  times+=("$secs")
  printf 'run %d: %6.2f s (user %s s, sys %s s)  peak %6.1f MB  (%s)\n' "$i" "$secs" "$user" "$sys" \
    "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$(head -1 "$out/log")"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: $median s over $runs runs of a $((size / 1048576)) MB file ($(nproc) cores)"
