#!/usr/bin/env bash
# Benchmark: the exec verifiers (and any other rows named) on the default suite, each in the mode
# it has (in-process when it has one, else over the wire), -j2. For each: the run's wall time
# (verifier start-up included) and the time per case after start-up, i.e. the microseconds the
# harness records around each verify call (median, p90, mean). Targets: Java <= 5 ms per case,
# Chromium <= 200 ms per case.
# Usage: bench/verifiers.sh [BUILD_DIR] [FILTER] [STACK...]
#   FILTER: a case glob ('*' = the whole suite); the browsers take minutes on the whole suite.
set -euo pipefail
build=${1:-build}
filter=${2:-*}
shift $(($# > 2 ? 2 : $#))
stacks=("$@")
[ ${#stacks[@]} -gt 0 ] || stacks=(go java java-certpath webpki pkijs python node chromium firefox)
bin="$build/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
work=$(mktemp -d /tmp/cp-bench-verifiers.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bin" generate -o "$work/suite" >/dev/null
echo "suite: $filter of the default suite, -j2, $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# mode_of STACK: inproc when the stack lists the in-process capability, else wire.
mode_of() {
  "$bin" stacks 2>/dev/null | awk -v s="$1" '
    $1 == s { found = 1; next }
    found && /capabilities:/ { print (/in-process/ ? "inproc" : "wire"); exit }'
}

for stack in "${stacks[@]}"; do
  mode=$(mode_of "$stack")
  if [ -z "$mode" ]; then
    echo "$stack: not built here (see certpath stacks)"
    continue
  fi
  out="$work/$stack.json"
  start=$(date +%s%N)
  if ! "$bin" run --stack "$stack" --mode "$mode" -j2 --timeout 30 --suite "$work/suite" \
    --no-regenerate --filter "$filter" -o "$out" >"$work/log" 2>&1; then
    echo "$stack: the run failed:" && tail -3 "$work/log"
    continue
  fi
  wall=$(( ($(date +%s%N) - start) / 1000000 ))
  python3 - "$out" "$stack" "$mode" "$wall" <<'EOF'
import json, statistics, sys
path, stack, mode, wall = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) / 1000
r = json.load(open(path))
ran = [c for c in r["cases"] if c.get("outcome") in ("accept", "reject", "error")]
us = sorted(c.get("microseconds", 0) for c in ran)
if not us:
    print("%-14s %-6s no case ran" % (stack, mode))
    sys.exit(0)
p90 = us[min(len(us) - 1, int(len(us) * 0.9))]
print("%-14s %-6s %5d cases in %7.1f s; per case after start: median %.1f ms, p90 %.1f ms, "
      "mean %.1f ms" % (stack, mode, len(ran), wall, statistics.median(us) / 1000, p90 / 1000,
                        statistics.mean(us) / 1000))
EOF
done
