#!/usr/bin/env bash
# The scale benchmark, one command: installs what is missing (Xapian
# included), builds optimised, and writes the Markdown results table to
# stdout (progress on stderr). Arguments go to the benchmark, e.g.
#   tools/bench_scale.sh --sizes=10000,100000 --queries=1000
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh --benchmarks
if ! log=$(bazel build -c opt --noshow_progress //benchmarks:scale_benchmark 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bazel-bin/benchmarks/scale_benchmark --data=data "$@"
