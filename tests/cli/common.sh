# The preamble every CLI test shares. A test sources it first:
#   source "$(dirname "$0")/common.sh"
# and is run (tests/cli/BUILD.bazel) with the procmatch binary and the data
# directory as its first two arguments; arguments after them are the test's
# own. It gives:
#   bin   the procmatch binary under test
#   data  the data directory (data/: sample/, ted/, eforms/, coverage/)
#   S, T  the bundled sample suppliers and tenders
#   tmp   a scratch directory, removed when the test exits
#   fail  prints FAIL and the reason, and ends the test with status 1
set -uo pipefail
bin="$1"
data="$2"
S="$data/sample/suppliers.jsonl"
T="$data/sample/tenders.jsonl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
