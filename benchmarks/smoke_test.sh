#!/usr/bin/env bash
# Smoke-sized runs of both benchmark harnesses, so that they cannot rot:
# each must run to the end and print its tables with numbers in them.
set -uo pipefail
scale="$1"
quality="$2"
data="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$scale" --data="$data" --sizes=2000 --queries=30 --exhaustive=10 >"$tmp/scale.md" 2>"$tmp/err" \
  || fail "scale: $(cat "$tmp/err")"
grep -qE '^\| 2k \| [0-9.]+ s \| [0-9]+ k/s ' "$tmp/scale.md" || fail "scale table: $(cat "$tmp/scale.md")"
grep -qE '^\| 2k \| [0-9.]+ s \| [0-9.]+ / [0-9.]+ ms \| [0-9.]+x \| [0-9]+% ' "$tmp/scale.md" \
  || fail "xapian table: $(cat "$tmp/scale.md")"

"$quality" --data="$data/ted/notices_dev.jsonl" --max_test_notices=60 >"$tmp/quality.md" 2>"$tmp/err" \
  || fail "quality: $(cat "$tmp/err")"
grep -q "### Time split" "$tmp/quality.md" || fail "no time split"
grep -qE '^\| \*\*procmatch, full[^*]*\*\* \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+%' "$tmp/quality.md" \
  || fail "quality table: $(cat "$tmp/quality.md")"
grep -q "Xapian BM25, text" "$tmp/quality.md" || fail "no Xapian baseline"
echo PASS
