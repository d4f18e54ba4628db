#!/usr/bin/env bash
# Benchmark: generating the default suite on this machine (target: <= 5 s on 2 cores), and the
# opt-in `names` suite beside it (target: at least the default suite's certificates per second).
# Usage: bench/generate.sh [BUILD_DIR] [RUNS]
# Prints each run's wall time, peak memory and certificates per second, then the medians and
# the names suite's throughput as a multiple of the default suite's.
set -euo pipefail
build=${1:-build}
runs=${2:-5}
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
out=$(mktemp -d /tmp/cp-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

# bench SUITE_NAME [generate options...]: RUNS runs; prints "median SECS CERTS_PER_S" last.
bench() {
  local name=$1
  shift
  local times=() rates=()
  for i in $(seq "$runs"); do
    rm -rf "$out/suite"
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" generate -o "$out/suite" \
      --time 2026-11-29T05:00:00Z "$@" >"$out/log"
    read -r secs kb <"$out/time"
    certs=$(head -1 "$out/log" | sed -E 's/.* ([0-9]+) certificates.*/\1/')
    rate=$(awk -v c="$certs" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? c / s : 0)}')
    times+=("$secs")
    rates+=("$rate")
    printf '%-8s run %d: %6.2f s  peak %6.1f MB  %6s certificates/s  (%s)\n' "$name" "$i" "$secs" \
      "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$rate" "$(head -1 "$out/log")" >&2
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo "$(med "${times[@]}") $(med "${rates[@]}")"
}

read -r d_secs d_rate < <(bench default)
read -r n_secs n_rate < <(bench names --family names)
echo "default suite: median $d_secs s, $d_rate certificates/s over $runs runs ($(nproc) cores)"
echo "names suite:   median $n_secs s, $n_rate certificates/s over $runs runs ($(nproc) cores)"
ratio=$(awk -v n="$n_rate" -v d="$d_rate" 'BEGIN {printf "%.2f", (d > 0 ? n / d : 0)}')
echo "names/default: $ratio times the default suite's certificates per second (target: >= 1)"
