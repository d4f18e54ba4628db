#!/usr/bin/env bash
# The house style's automated part (../shared/STYLE.md): every C file of ours is formatted as
# .clang-format says, and none calls a banned function (sprintf, strcpy, strcat, gets, atoi,
# strtok). Exit 0 when clean; otherwise each offence on stderr and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files '*.c' '*.h')
[ "${#files[@]}" -gt 0 ] || { echo "check-style: no C files found (not a git checkout?)" >&2; exit 1; }

status=0
if ! clang-format --dry-run -Werror "${files[@]}"; then
  echo "check-style: the files above are not clang-formatted (run clang-format -i on them)" >&2
  status=1
fi

# A call is the name, optional spaces, then "(", not preceded by an identifier character
# (so snprintf, strtok_r, cp_atoi_... are fine). Comments and strings are stripped first.
banned='(^|[^A-Za-z0-9_])(sprintf|strcpy|strcat|gets|atoi|strtok)[[:space:]]*\('
for f in "${files[@]}"; do
  hits=$(sed -e 's://.*$::' -e 's:"\([^"\\]\|\\.\)*"::g' "$f" |
         perl -0pe 's{/\*.*?\*/}{my $c = $&; $c =~ tr/\n//cd; $c}gse' |
         grep -nE "$banned" || true)
  if [ -n "$hits" ]; then
    while IFS= read -r line; do
      echo "check-style: $f:${line%%:*}: a banned function: ${line#*:}" >&2
    done <<<"$hits"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "check-style: ${#files[@]} files formatted, no banned functions"
exit "$status"
