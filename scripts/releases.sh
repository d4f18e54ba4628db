#!/usr/bin/env bash
# Writes docs/releases.md: what changes for every row between Debian 12 and Debian 13, measured.
# One suite is minted (seed 1, a fixed validation time), every row of the main job runs on it
# in-process on this machine (Debian 12) and in a Debian 13 root (scripts/debian13-root.sh), and
# `certpath report --compare` writes each row's comparison. Nothing in the file is typed by hand.
#
# Usage (as root, from a built checkout): scripts/releases.sh [-o FILE] [--results OLD NEW]
#   -o FILE            where the Markdown goes (default docs/releases.md)
#   --results OLD NEW  write it from results already made: OLD/<row>-inproc.json (Debian 12) and
#                      NEW/<row>-inproc.json (Debian 13), runs of one suite; nothing is run
# The runs take what the main job takes, twice (about 15 minutes on 2 cores); their work is kept
# in build-releases/ (suite, d12/results, d13/results) so that --results can write again.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/docs/releases.md
old="" new=""
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=${2:?-o needs a file}; shift ;;
    --results) old=${2:?--results needs OLD and NEW}; new=${3:?--results needs OLD and NEW}; shift 2 ;;
    *) echo "releases: unknown argument $1 (see the usage in $0)" >&2; exit 2 ;;
  esac
  shift
done
certpath=$here/build/certpath
[ -x "$certpath" ] || { echo "releases: $certpath not found: build first (README)" >&2; exit 1; }

if [ -z "$old" ]; then
  work=$here/build-releases
  rm -rf "$work" && mkdir -p "$work/d12" "$work/d13"
  # The same suite for both: minted once here, read in the root through the checkout.
  "$certpath" generate --seed 1 --time 2026-12-01T00:00:00Z -o "$work/suite" >/dev/null
  (cd "$work/d12" && "$certpath" run --stack all --suite ../suite >run.log 2>&1) ||
    echo "releases: the Debian 12 run exited $? (see $work/d12/run.log)" >&2
  "$here/scripts/debian13-root.sh" "cmake -S . -B build-debian13 >/dev/null &&
    cmake --build build-debian13 -j\$(nproc) >/dev/null &&
    cd build-releases/d13 && ../../build-debian13/certpath run --stack all --suite ../suite >run.log 2>&1" ||
    echo "releases: the Debian 13 run exited with an error (see $work/d13/run.log)" >&2
  old=$work/d12/results new=$work/d13/results
fi
[ -d "$old" ] && [ -d "$new" ] || { echo "releases: $old or $new is not a directory" >&2; exit 1; }

tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
platform() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); p=r.get("platform") or {}; print(p.get("pretty_name") or "platform not recorded")' "$1"; }
suite() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["suite"]; print("seed %s, validation time %s, suite %s" % (s["seed"], s["validation_time"], s["id"]))' "$1"; }
first=$(ls "$new"/*-inproc.json | head -1)
{
  echo "# What changes between Debian 12 and Debian 13"
  echo
  echo "Written by \`scripts/releases.sh\` (do not edit by hand): every row of the main job run"
  echo "in-process on one suite ($(suite "$first")) on $(platform "$(ls "$old"/*-inproc.json | head -1)")"
  echo "and on $(platform "$first"), compared with \`certpath report --compare\` under the webpki"
  echo "profile. A case *improved* when its verdict became pass, *regressed* when it was pass and is"
  echo "no longer, and *changed* otherwise. Rerun: \`scripts/releases.sh\` (about 15 minutes)."
  echo
  only=()
  for f in "$new"/*-inproc.json; do
    row=$(basename "$f" -inproc.json)
    if [ -f "$old/$row-inproc.json" ]; then
      "$certpath" report --compare "$old/$row-inproc.json" "$f" --markdown - ||
        { echo "releases: comparing $row failed (above)" >&2; exit 1; }
    else
      only+=("$row (Debian 13 only)")
    fi
  done
  for f in "$old"/*-inproc.json; do
    row=$(basename "$f" -inproc.json)
    [ -f "$new/$row-inproc.json" ] || only+=("$row (Debian 12 only)")
  done
  if [ ${#only[@]} -gt 0 ]; then
    echo "### Rows run on one release only"
    echo
    for r in "${only[@]}"; do echo "- $r"; done
    echo
  fi
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "releases: wrote $out"
