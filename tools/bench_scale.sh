#!/usr/bin/env bash
# The scale benchmark, one command: installs what is missing (Xapian
# included), builds optimised, and writes the Markdown results table to
# stdout (progress on stderr). Arguments go to the benchmark, e.g.
#   tools/bench_scale.sh --sizes=10000,100000 --queries=1000
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh --benchmarks
# The build holds $PROCMATCH_BAZEL_LOCK (default /tmp/procmatch-bazel.lock,
# "" for none) when flock exists, as tools/test.sh does; the run does not.
lock="${PROCMATCH_BAZEL_LOCK-/tmp/procmatch-bazel.lock}"
bazel=(bazel)
if [[ -n "$lock" ]] && command -v flock >/dev/null; then
  bazel=(flock -o "$lock" bazel)
fi
if ! log=$("${bazel[@]}" build -c opt --noshow_progress //benchmarks:scale_benchmark 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bazel-bin/benchmarks/scale_benchmark --data=data "$@"
