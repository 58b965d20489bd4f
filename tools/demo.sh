#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the procmatch
# tool and runs its demo on the bundled data.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh
if ! log=$(bazel build -c opt --noshow_progress //examples:procmatch 2>&1); then
  echo "$log" >&2
  exit 1
fi
exec bazel-bin/examples/procmatch demo --data_dir=data "$@"
