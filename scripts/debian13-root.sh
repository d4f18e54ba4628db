#!/usr/bin/env bash
# Builds certpath and runs its tests in a Debian 13 (trixie) root, as a new user on a fresh
# Debian 13 machine would: the README's install, build and test commands, inside the root.
#
# Usage (as root): scripts/debian13-root.sh [COMMAND]
#   COMMAND runs with bash -c in the checkout inside the root; by default the README's test
#   command (install-deps, a build and the whole test suite) with build-debian13/ as its build.
# Environment (CI and CERTPATH_ABSENT are passed into the root, see tests/support/cp_missing.h):
#   CERTPATH_ROOT_CACHE   where the root is kept (default /var/cache/certpath), outside the checkout
#   CERTPATH_ROOT_MAX_AGE days a root is reused (default 7); an older one is made anew
#   CERTPATH_MIRROR       the Debian mirror debootstrap and apt use (default http://deb.debian.org/debian)
#
# The root is made with debootstrap --variant=minbase and kept in the cache; the packages
# install-deps adds stay in it, so a second run installs nothing. For the run the checkout is
# bind-mounted at /certpath and /proc, /dev and /dev/shm are mounted; every one of them is
# unmounted, and every process left inside the root ended, on every way out of this script
# (success, failure, Ctrl-C, TERM). A root that cannot be made fails the run with the reason.
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
cache=${CERTPATH_ROOT_CACHE:-/var/cache/certpath}
max_age=${CERTPATH_ROOT_MAX_AGE:-7}
mirror=${CERTPATH_MIRROR:-http://deb.debian.org/debian}
suite=trixie
root=$cache/$suite
stamp=$root/.certpath-root-made
# What a root takes once install-deps has filled it (browsers, JDK, Go, Rust): about 4 GiB.
need_kib=$((6 * 1024 * 1024))
# By default the README's test command, built in build-debian13/ so that it never meets a build
# made outside the root in the same checkout.
readme_cmd=$(sed -n '/^# Run the tests:/{n;p;q}' "$checkout/README.md")
default_cmd=$(sed -e 's/-B build /-B build-debian13 /' -e 's/--build build /--build build-debian13 /' \
  -e 's/--test-dir build /--test-dir build-debian13 /' <<<"$readme_cmd")
cmd=${1:-$default_cmd}

fail() {
  echo "debian13-root: $*" >&2
  exit 1
}

[ -n "${1:-}" ] || [ "$(grep -o build-debian13 <<<"$default_cmd" | wc -l)" -eq 3 ] ||
  fail "the README's test command (\"$readme_cmd\") no longer builds in build/: update this script"
[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, chroot and mount need it)"
case "$cache/" in
  "$checkout"/*) fail "the cache $cache is inside the checkout $checkout" ;;
esac
mkdir -p "$cache" || fail "cannot create the cache directory $cache"

# One run at a time per cache: a second waits instead of mounting over the first.
exec 9>"$cache/$suite.lock"
flock 9

mounts=()
cleanup() {
  local rc=$? pid i
  trap - EXIT INT TERM HUP
  set +e
  # Nothing left running inside the root: every process whose root directory is the root.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null
  done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" ||
      echo "debian13-root: cannot unmount ${mounts[i]}" >&2
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Anything still mounted under a directory (a run killed with SIGKILL leaves its mounts).
mounted_under() {
  awk -v d="$1" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

fresh=no
if [ -f "$stamp" ] && [ -n "$(find "$stamp" -mtime -"$max_age" 2>/dev/null)" ]; then
  echo "debian13-root: reusing $root (made $(cat "$stamp"))"
else
  command -v debootstrap >/dev/null || {
    echo "debian13-root: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
      >/dev/null || fail "debootstrap is not installed and cannot be (apt-get install debootstrap)"
  }
  [ -f /usr/share/debootstrap/scripts/$suite ] ||
    fail "this debootstrap does not know $suite (upgrade the debootstrap package)"
  avail=$(df -Pk "$cache" | awk 'NR == 2 { print $4 }')
  [ "$avail" -ge "$need_kib" ] ||
    fail "$cache has $((avail / 1024)) MiB free; a Debian 13 root needs $((need_kib / 1024)) MiB"
  for d in "$root" "$root.new"; do
    ! mounted_under "$d" || fail "something is still mounted under $d (see /proc/mounts)"
  done
  rm -rf "$root.new"
  echo "debian13-root: making $root with debootstrap (a few minutes)"
  debootstrap --variant=minbase "$suite" "$root.new" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    fail "debootstrap $suite failed; its log: $cache/debootstrap.log ($(tail -n 1 "$cache/debootstrap.log"))"
  rm -rf "$root"
  mv "$root.new" "$root"
  date -u +%FT%TZ >"$stamp"
  fresh=yes
fi

# Settings the root needs once: the point-release and security updates, no services started
# by package scripts (nothing may be left running), DNS from this machine.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# The root trusts the CAs this machine added to its own store (a proxy's, say), as a new
# machine on this network would be set up to.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  [ ! -x "$root/usr/sbin/update-ca-certificates" ] ||
    chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1 ||
    fail "update-ca-certificates failed in $root"
fi

mount_one() { # mount_one TARGET MOUNT-ARGS...
  local target=$1
  shift
  mkdir -p "$target"
  mount "$@" "$target" || fail "mount $* $target failed"
  mounts+=("$target")
}
! mounted_under "$root" || fail "something is still mounted under $root (see /proc/mounts)"
mount_one "$root/proc" -t proc proc
mount_one "$root/dev" --bind /dev
mount_one "$root/dev/shm" -t tmpfs -o mode=1777 tmpfs
mount_one "$root/dev/pts" -t devpts -o newinstance,ptmxmode=0666 devpts
mount_one "$root/certpath" --bind "$checkout"

echo "debian13-root: running in $root (fresh: $fresh): $cmd"
set +e
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
  CERTPATH_ABSENT="${CERTPATH_ABSENT:-}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c "set -euo pipefail; cd /certpath; $cmd"
rc=$?
set -e
echo "debian13-root: exit status $rc"
exit "$rc"
