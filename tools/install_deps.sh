#!/usr/bin/env bash
# Installs the Debian packages procmatch builds with, if any is missing.
# With --benchmarks, also what the benchmarks compare against (Xapian); the
# library never links it. With --browser, also a headless browser for
# tests/coverage_browser_test.sh (the HTML coverage report). Idempotent and silent when everything is present.
# Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java bazel-skylib
  g++ pkg-config
  libabsl-dev libprotobuf-dev protobuf-compiler libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libstemmer-dev libpugixml-dev libleveldb-dev
  # The gRPC service (lib/service), its Python client test and the test
  # certificates of tests/service_test.cc.
  libgrpc++-dev protobuf-compiler-grpc python3-grpcio python3-protobuf openssl
)
BENCHMARK_PACKAGES=(libxapian-dev)
# python3 reads the screenshot in tests/png_check.py.
BROWSER_PACKAGES=(chromium python3)
for option in "$@"; do
  case "$option" in
    --benchmarks) PACKAGES+=("${BENCHMARK_PACKAGES[@]}") ;;
    --browser) PACKAGES+=("${BROWSER_PACKAGES[@]}") ;;
    *) echo "install_deps.sh: unknown option $option" >&2; exit 2 ;;
  esac
done

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
