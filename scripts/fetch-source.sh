#!/usr/bin/env bash
# Fetches a library's Debian 13 (trixie) source package and unpacks it with its Debian patches,
# without touching the system's apt configuration: a private sources list and lists directory
# under the cache. Prints the unpacked tree's path. Used by .ci/run to test
# scripts/test-library.sh on real source trees; a library's own CI has its checkout instead.
# Usage: scripts/fetch-source.sh PACKAGE [CACHE_DIR]   (default /var/cache/certpath)
set -euo pipefail
pkg=${1:?usage: scripts/fetch-source.sh PACKAGE [CACHE_DIR]}
cache=${2:-/var/cache/certpath}
apt_dir=$cache/apt-src src_dir=$cache/src
mkdir -p "$apt_dir/lists/partial" "$src_dir"
list=$apt_dir/sources.list
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" >"$list"
apt_opts=(-o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$apt_dir/lists")

# The package lists are refreshed at most once a day.
stamp=$apt_dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mtime +0)" ]; then
  apt-get "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
    { echo "fetch-source: apt-get update failed; see $apt_dir/update.log" >&2; exit 1; }
  touch "$stamp"
fi
cd "$src_dir"
version=$(apt-get "${apt_opts[@]}" source --print-uris "$pkg" 2>/dev/null |
  awk -F"'" '/\.dsc/ {print $2}' | sed 's#.*/##; s#\.dsc$##')
[ -n "$version" ] || { echo "fetch-source: no source package $pkg in trixie" >&2; exit 1; }
tree=$src_dir/$version
if [ ! -f "$tree/.certpath-unpacked" ]; then
  apt-get "${apt_opts[@]}" --download-only source "$pkg" >"$src_dir/$pkg.fetch.log" 2>&1 ||
    { echo "fetch-source: fetching $pkg failed; see $src_dir/$pkg.fetch.log" >&2; exit 1; }
  rm -rf "$tree"
  dpkg-source -x "$version.dsc" "$tree" >"$src_dir/$pkg.unpack.log" 2>&1 ||
    { echo "fetch-source: unpacking $version.dsc failed; see $src_dir/$pkg.unpack.log" >&2; exit 1; }
  touch "$tree/.certpath-unpacked"
fi
echo "$tree"
