#!/usr/bin/env bash
# The winner-ranking quality benchmark, one command: installs what is missing
# (Xapian included), builds optimised, and writes the Markdown tables to
# stdout. --tune adds the weight search. Bazel runs under the shared lock
# (/tmp/procmatch-bazel.lock; -o so that the server does not inherit it).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh --benchmarks
if ! log=$(flock -o /tmp/procmatch-bazel.lock bazel build -c opt --noshow_progress //benchmarks:winner_ranking 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bazel-bin/benchmarks/winner_ranking --data=data/ted/notices_dev.jsonl "$@"
