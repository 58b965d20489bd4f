#!/usr/bin/env bash
# Linking without Bazel (doc/embedding.md): installs procmatch into a
# temporary prefix with tools/install.sh, builds examples/embed_match.cc with
# plain g++ and pkg-config against that install, runs it and compares its
# output with examples/testdata/embed_match.txt, as //examples:embed_match_test
# does for the Bazel build.
#
# Bazel cannot run inside `bazel test`, so this is a script for tools/test.sh:
#   tests/install_test.sh       (from anywhere; takes a minute or two, -c opt)
# It ends with "1 passed, 0 failed" or "0 passed, 1 failed".
# BAZEL names the bazel command, as for tools/install.sh.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

fail() {
  echo "install_test: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

tools/install.sh "$prefix" || fail "tools/install.sh failed"

for f in lib/libprocmatch.a lib/pkgconfig/procmatch.pc \
  include/procmatch/matcher.h include/procmatch/ted_importer.h \
  include/procmatch/v1/match.pb.h include/procmatch/v1/match.proto; do
  [[ -f "$prefix/$f" ]] || fail "$f is not installed"
done
# The internal headers that no public header includes stay out.
[[ ! -e "$prefix/include/procmatch/internal/xml_util.h" ]] ||
  fail "an internal header not needed by the public ones was installed"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs procmatch) ||
  fail "pkg-config cannot resolve procmatch.pc"
echo "pkg-config --cflags --libs procmatch: $flags"
# Every installed header compiles on its own flags (none needs a header that
# was left out).
for h in "$prefix"/include/procmatch/*.h; do
  echo "#include \"procmatch/${h##*/}\""
done >"$prefix/all_headers.cc"
# shellcheck disable=SC2046,SC2086  # the flags are words
g++ -std=c++17 -fsyntax-only $(pkg-config --cflags procmatch) \
  "$prefix/all_headers.cc" || fail "the installed headers do not compile"
# shellcheck disable=SC2086
g++ -std=c++17 -Wall -Wextra -Werror examples/embed_match.cc $flags \
  -o "$prefix/embed_match" || fail "examples/embed_match.cc does not build"

"$prefix/embed_match" >"$prefix/out.txt" || fail "embed_match failed"
diff -u examples/testdata/embed_match.txt "$prefix/out.txt" ||
  fail "embed_match output differs from examples/testdata/embed_match.txt"

echo "install_test: installed, built with pkg-config and ran embed_match"
echo "1 passed, 0 failed"
