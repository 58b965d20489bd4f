#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds and runs
# every test (no benchmark) and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
# The tests include smoke runs of the benchmarks, which need Xapian.
tools/install_deps.sh --benchmarks || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
bazel test //... --test_summary=short --noshow_progress "$@" 2>&1 \
  | tee "$log" | grep -vE '^(INFO|Loading|Analyzing|Target )|^  ' || true
rc=${PIPESTATUS[0]}
passed=$(grep -cE '^//\S+\s+(\(cached\) )?PASSED' "$log" || true)
failed=$(grep -cE '^//\S+\s+.*(FAILED|TIMEOUT|NO STATUS|INCOMPLETE)' "$log" || true)
echo "${passed} passed, ${failed} failed"
# CI must end cleanly: no Bazel server left behind.
[[ "${CI:-}" == "true" ]] && bazel shutdown 2>/dev/null
exit "$rc"
