#!/usr/bin/env bash
# Installs the Debian packages procmatch builds with, if any is missing.
# With --benchmarks, also what the benchmarks compare against (Xapian); the
# library never links it. Idempotent and silent when everything is present.
# Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java bazel-skylib
  g++ pkg-config
  libabsl-dev libprotobuf-dev protobuf-compiler libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libstemmer-dev libpugixml-dev libleveldb-dev
)
if [[ "${1:-}" == "--benchmarks" ]]; then
  PACKAGES+=(libxapian-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "procmatch: installing ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
