#!/usr/bin/env bash
# Runs examples/embed_match and compares what it prints with the expected
# output (examples/testdata/embed_match.txt), which doc/embedding.md quotes.
# Usage: embed_match_test.sh BINARY EXPECTED
set -euo pipefail
binary=$1
expected=$2
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT
"$binary" >"$actual"
if ! diff -u "$expected" "$actual"; then
  echo "embed_match: output differs from $expected (diff above)" >&2
  exit 1
fi
echo "embed_match: output as expected"
