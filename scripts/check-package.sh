#!/usr/bin/env bash
# The Debian package as a user gets it: `cpack -G DEB` in BUILD_DIR, the package unpacked into a
# scratch root, and the installed certpath used from there: its man page, `stacks` (modules,
# the worker and the exec verifiers found relative to the installed binary, not the build
# tree), and `run --stack openssl` on a small filter. The scratch root is removed on every exit.
# Usage: scripts/check-package.sh [BUILD_DIR]   (default build)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(mktemp -d /tmp/certpath-package.XXXXXX)
trap 'rm -rf "$root"' EXIT

(cd "$build" && cpack -G DEB >"$root/cpack.log" 2>&1) ||
  { echo "check-package: cpack failed:" >&2; tail -20 "$root/cpack.log" >&2; exit 1; }
deb=$(ls -t "$build"/certpath_*.deb | head -1)
dpkg-deb -x "$deb" "$root/fs"
bin=$root/fs/usr/bin/certpath
echo "check-package: $(basename "$deb"), $(dpkg-deb -f "$deb" Installed-Size) KiB installed"

[ -s "$root/fs/usr/share/man/man1/certpath.1" ] || { echo "check-package: no man page" >&2; exit 1; }
[ -s "$root/fs/usr/share/certpath/schema/results.schema.json" ] ||
  { echo "check-package: no results schema" >&2; exit 1; }

# Every row built here starts from the installed tree (rows this platform cannot run aside).
# The build tree is moved out of sight so that nothing can be found there by accident.
stacks=$root/stacks.txt
env -u CERTPATH_ADAPTER_DIR "$bin" stacks >"$stacks" 2>&1 || true
if grep -E '^[a-z0-9@.-]+ +.*unavailable:' "$stacks" | grep -v 'not runnable on this platform' |
   grep -q .; then
  echo "check-package: rows that do not start from the package:" >&2
  grep -E 'unavailable:' "$stacks" | grep -v 'not runnable on this platform' >&2
  exit 1
fi
if grep -q "$build" "$stacks"; then
  echo "check-package: the installed certpath used the build tree $build" >&2
  exit 1
fi

cd "$root"
env -u CERTPATH_ADAPTER_DIR "$bin" generate --family controls --family ordering -o suite >gen.log 2>&1
env -u CERTPATH_ADAPTER_DIR "$bin" run --stack openssl --suite suite --filter 'ordering/depth1/*' \
  -o r.json >run.log 2>&1 || { echo "check-package: the installed run failed:" >&2; cat run.log >&2; exit 1; }
grep -Eq '"complete":[[:space:]]*true' r.json || { echo "check-package: the run is not complete" >&2; exit 1; }
echo "check-package: installed certpath ran: $(grep 'cases:' run.log | sed 's/^ *//')"
