#!/usr/bin/env bash
# Benchmark: the README's main job after the build (`certpath run --stack all` then
# `certpath report results/*.json`, suite generation included), in a scratch directory. Prints
# the job's wall and CPU seconds, the generation's seconds, then each row: wall seconds, CPU
# seconds (harness, workers, their start-ups and what they ran), timeouts, the limits it ran
# under, and the most CPU any case with a verdict took (the case named): what an honest case
# needs against the CPU limit. Target (issue 12): <= 5 min on 2 cores.
# Usage: bench/main-job.sh [BUILD_DIR] [--busy] [--keep DIR]
#   --busy      keeps one core busy (a spinning process) for the whole job, to show that the CPU
#               limit judges hangs the same on a loaded machine.
#   --keep DIR  runs in DIR (created; must not exist) and keeps it: the suite, results/, logs,
#               to compare verdicts case for case between two builds.
set -euo pipefail
build=build
busy=""
keep=""
while [ $# -gt 0 ]; do
  case $1 in
    --busy) busy=--busy ;;
    --keep) keep=${2:?--keep needs a directory}; shift ;;
    *) build=$1 ;;
  esac
  shift
done
bin="$(cd "$build" && pwd)/certpath"
[ -x "$bin" ] || { echo "bench: $bin not found; build first" >&2; exit 1; }
if [ -n "$keep" ]; then
  [ -e "$keep" ] && { echo "bench: $keep exists" >&2; exit 1; }
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d /tmp/cp-bench-main.XXXXXX)
fi
hog=""
cleanup() {
  [ -n "$hog" ] && kill "$hog" 2>/dev/null || true
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
if [ "$busy" = "--busy" ]; then
  (while :; do :; done) &
  hog=$!
fi

cd "$work"
start=$(date +%s.%N)
"$bin" run --stack all >run.log 2>&1 ||
  echo "bench: run exited $? (see the rows below and $work/run.log)" >&2
/usr/bin/time -f "%U %S" -o report.cpu "$bin" report results/*.json >report.log 2>&1 ||
  echo "bench: report exited $?" >&2
end=$(date +%s.%N)

cpu() { awk '{printf "%.1f", $1 + $2}' "$1"; }
echo "main job: $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}') s wall" \
  "($(nproc) cores${busy:+, one core busy}); the report $(cpu report.cpu) s CPU"
grep -h "generated .* cases in" run.log | sed 's/^certpath run: /  suite: /' || true
python3 - "$work/results" <<'PY'
import json, os, sys
rows = []
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(sys.argv[1], name)) as f:
        r = json.load(f)
    cases = r.get("cases", [])
    timeouts = sum(c.get("outcome") == "timeout" for c in cases)
    honest = [c for c in cases if c.get("outcome") in ("accept", "reject", "error")]
    top = max(honest, key=lambda c: c.get("cpu_microseconds", 0), default=None)
    rows.append((r["seconds"], r.get("cpu_seconds", 0), r["stack"]["name"], r["stack"]["mode"],
                 timeouts, r.get("limits", {}), top))
print(f"  {'row':14} {'mode':10} {'wall s':>7} {'CPU s':>7} {'timeouts':>8}  {'limits':24}  "
      "most CPU of a case with a verdict")
total_wall = total_cpu = 0
for wall, cpu, name, mode, timeouts, limits, top in sorted(rows, key=lambda x: -x[0]):
    total_wall += wall
    total_cpu += cpu
    lim = f"cpu {limits.get('cpu_seconds', '?')} s, wall {limits.get('wall_seconds', '?')} s"
    most = (f"{top.get('cpu_microseconds', 0) / 1000:7.1f} ms  {top['id']}" if top else "-")
    print(f"  {name:14} {mode:10} {wall:7.1f} {cpu:7.1f} {timeouts:8d}  {lim:24}  {most}")
print(f"  {'rows':25} {total_wall:7.1f} {total_cpu:7.1f}")
PY
