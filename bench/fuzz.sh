#!/usr/bin/env bash
# The libFuzzer targets (fuzz/) built with clang under ASan + UBSan in build-fuzz, each run for
# SECONDS (default 300; .ci/run gives 15) from its checked-in seed corpus (fuzz/corpus/<target>,
# read only: new inputs go to a scratch directory). Prints per target the executions, the new
# inputs found and whether it crashed; a crash's input is kept in build-fuzz/crashes/ and the
# script exits 1.
# Usage: bench/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_manifest fuzz_results fuzz_baseline fuzz_journal
                                      fuzz_exec_reply fuzz_limbo_scan fuzz_server)
command -v clang >/dev/null || { echo "fuzz.sh: no clang (scripts/install-deps.sh)" >&2; exit 1; }

no_verifiers=()
for v in GO JAVA PKIJS WEBPKI PYTHON NODE CHROMIUM FIREFOX; do
  no_verifiers+=("-DCP_VERIFIER_$v=OFF")
done
# fuzz/ is a project of its own that builds certpath's parts beside the targets; the flag gives
# every part libFuzzer's coverage. Warnings are the gcc builds' gate (.ci/run), not clang's here.
CC=clang cmake -S fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
  -DCP_WERROR=OFF -DCP_SANITIZE='address;undefined' -DCP_BUILD_TESTS=OFF "${no_verifiers[@]}" \
  >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null

mkdir -p build-fuzz/crashes
status=0
for t in "${targets[@]}"; do
  scratch=$(mktemp -d)
  log=build-fuzz/$t.log
  rc=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/$t" -max_total_time="$secs" -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$t-" "$scratch" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  found=$(sed -n 's/^stat::new_units_added: *//p' "$log")
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $t: ${execs:-?} executions in ${secs} s, ${found:-?} new inputs, no crash"
  else
    echo "fuzz: $t: CRASHED (exit $rc) after ${execs:-?} executions; the input is in" \
      "build-fuzz/crashes/, the log in $log:" >&2
    grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 >&2 || true
    status=1
  fi
  rm -rf "$scratch"
done
exit $status
