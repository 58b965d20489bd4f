#!/usr/bin/env bash
# Checks that every tracked C++ file is formatted by clang-format (Google
# style, .clang-format at the top). Lists the files that are not and exits 1;
# fix them with `clang-format -i FILE...`. With --fix, formats them instead.
set -uo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-clang-format}"
command -v "$CLANG_FORMAT" >/dev/null || {
  echo "tools/check_format.sh: $CLANG_FORMAT not found (apt-get install clang-format)" >&2
  exit 2
}
fix=false
[[ "${1:-}" == "--fix" ]] && fix=true

unformatted=()
while IFS= read -r -d '' file; do
  if ! "$CLANG_FORMAT" --dry-run --Werror "$file" >/dev/null 2>&1; then
    unformatted+=("$file")
  fi
done < <(git ls-files -z -- '*.cc' '*.h' '*.cpp' '*.hpp')

if [[ ${#unformatted[@]} -eq 0 ]]; then
  echo "clang-format: every tracked C++ file is formatted"
  exit 0
fi
if $fix; then
  "$CLANG_FORMAT" -i "${unformatted[@]}"
  printf 'clang-format: formatted %s\n' "${unformatted[@]}"
  exit 0
fi
echo "clang-format: ${#unformatted[@]} file(s) not formatted (clang-format -i FILE):"
printf '  %s\n' "${unformatted[@]}"
exit 1
