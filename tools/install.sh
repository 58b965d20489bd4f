#!/usr/bin/env bash
# Installs procmatch for programs built without Bazel (doc/embedding.md):
#
#   PREFIX/lib/libprocmatch.a            every object file of //lib:procmatch
#                                        and //lib:import, generated protobuf
#                                        code and embedded CPV/NUTS lists too
#   PREFIX/include/procmatch/*.h         the public headers, and the internal
#                                        ones they include
#   PREFIX/include/procmatch/v1/*.pb.h   the generated message headers
#   PREFIX/include/procmatch/v1/*.proto  the schema, for `import` by a host
#   PREFIX/lib/pkgconfig/procmatch.pc    from tools/procmatch.pc.in
#
# Then: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig \
#         g++ -std=c++17 app.cc $(pkg-config --cflags --libs procmatch)
#
# Usage: tools/install.sh PREFIX [extra bazel build flags]
# BAZEL names the bazel command (default: bazel). Builds with -c opt
# --force_pic, so the archive also links into shared libraries.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $0 PREFIX [bazel build flags]" >&2
  exit 2
fi
prefix=$(realpath -m "$1")
shift
cd "$(dirname "$0")/.."
bazel=${BAZEL:-bazel}
universe="//lib:procmatch + //lib:import"
# --force_pic: position-independent objects, so that a host can also link the
# archive into a shared library (a plain -c opt build makes non-PIC archives).
flags=(-c opt --force_pic "$@")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
die() {
  echo "install.sh: $*" >&2
  exit 1
}

# Building the umbrellas alone builds no archive (nothing is linked), so
# build every procmatch library they depend on: each makes its archive.
mapfile -t targets < <($bazel query --noshow_progress \
  "filter('^//', kind('cc_library|cc_proto_library', deps($universe)))" \
  2>"$work/query.log") || {
  cat "$work/query.log" >&2
  die "bazel query failed"
}
[[ ${#targets[@]} -gt 0 ]] || die "bazel query found no library"
$bazel build "${flags[@]}" --noshow_progress "${targets[@]}" ||
  die "bazel build failed"

# The archives to merge, read from Bazel rather than guessed from bazel-bin:
# every library in the targets' CcInfo, in link order. Only procmatch's own:
# Debian's Abseil, RE2, pugixml and libstemmer are link flags and bring no
# archive, and the code Bazel generates for protobuf's timestamp.proto
# (external/) is left to libprotobuf, which has it already. With --force_pic
# the libraries have PIC archives only.
cc_info='[v for k, v in providers(target).items() if k.endswith("CcInfo")][0]'
archives_expr='"\n".join([
    (lib.pic_static_library or lib.static_library).path
    for input in '"$cc_info"'.linking_context.linker_inputs.to_list()
    for lib in input.libraries
    if lib.pic_static_library or lib.static_library])'
# The public headers: the umbrellas' hdrs.
headers_expr='"\n".join([h.path for h in '"$cc_info"'.compilation_context.direct_public_headers])'
# Every header they can reach (generated .pb.h files included), to find the
# internal ones the public headers include.
all_headers_expr='"\n".join([h.path for h in '"$cc_info"'.compilation_context.headers.to_list()])'

# `query OUT ARGS...`: bazel cquery into $work/OUT, one line each, no repeats.
query() {
  local out=$1
  shift
  $bazel cquery "${flags[@]}" --noshow_progress "$@" >"$work/$out.raw" \
    2>"$work/$out.log" || {
    cat "$work/$out.log" >&2
    die "bazel cquery $* failed"
  }
  awk 'NF && !seen[$0]++' "$work/$out.raw" >"$work/$out"
}
query archives "$universe" --output=starlark --starlark:expr="$archives_expr"
query public_headers "$universe" --output=starlark \
  --starlark:expr="$headers_expr"
query all_headers "$universe" --output=starlark \
  --starlark:expr="$all_headers_expr"
# The Abseil components the closure uses, to name their pkg-config modules
# (//third_party:absl.BUILD has one target per absl_<component>.pc).
query absl "kind(cc_library, deps($universe))" \
  --output=label
execroot=$($bazel info "${flags[@]}" execution_root 2>/dev/null) ||
  die "bazel info failed"

mapfile -t archives < <(grep -vE '(^|/)external/' "$work/archives")
mapfile -t public_headers <"$work/public_headers"
mapfile -t all_headers <"$work/all_headers"
mapfile -t absl_components < <(sed -nE \
  's/^@com_google_absl\/\/:([a-z0-9_]+) .*/\1/p' "$work/absl" | sort -u)
[[ ${#archives[@]} -gt 0 && ${#public_headers[@]} -gt 0 ]] ||
  die "bazel cquery found no archives or no public headers"

lib_dir=$prefix/lib
include_dir=$prefix/include
mkdir -p "$lib_dir/pkgconfig" "$include_dir/procmatch/v1"

# One archive. An MRI script keeps members whose names repeat across
# archives (extracting into one folder would overwrite them); the archives
# are copied to plain names first because MRI scripts split on some of the
# characters Bazel paths may hold.
{
  echo "CREATE $work/libprocmatch.a"
  for i in "${!archives[@]}"; do
    cp "$execroot/${archives[$i]}" "$work/part$i.a" ||
      die "bazel did not build ${archives[$i]}"
    echo "ADDLIB $work/part$i.a"
  done
  echo "SAVE"
  echo "END"
} | ar -M
ranlib "$work/libprocmatch.a"
install -m 644 "$work/libprocmatch.a" "$lib_dir/libprocmatch.a"

# Headers, by the path they are included as ("procmatch/..."): the public
# ones, then every "procmatch/..." header they include, transitively. Bazel
# lists each header twice, as a source file (lib/cpv.h) and by its include
# path under _virtual_includes/<target>/, which is the one wanted here.
include_path() {
  local rest=${1#*/_virtual_includes/}
  [[ "$rest" != "$1" ]] && echo "${rest#*/}"
}
declare -A by_include
for h in "${all_headers[@]}"; do
  # bazel-out/k8-opt/bin/lib/_virtual_includes/matcher/procmatch/matcher.h
  include=$(include_path "$h") || continue
  if [[ "$include" == procmatch/* && -e "$execroot/$h" ]]; then
    by_include[$include]=$h
  fi
done
pending=()
for h in "${public_headers[@]}"; do
  include=$(include_path "$h") && pending+=("$include")
done
declare -A installed
while [[ ${#pending[@]} -gt 0 ]]; do
  include=${pending[0]}
  pending=("${pending[@]:1}")
  if [[ -n "${installed[$include]:-}" ]]; then continue; fi
  source=${by_include[$include]:-}
  [[ -n "$source" ]] || die "no header for #include \"$include\""
  installed[$include]=1
  install -D -m 644 "$execroot/$source" "$include_dir/$include"
  while read -r next; do
    pending+=("$next")
  done < <(sed -nE 's/^#include "(procmatch\/[^"]+)".*/\1/p' "$execroot/$source")
done
# Every generated message header, also those no public header includes
# (snapshot.pb.h), and the schema itself.
for include in "${!by_include[@]}"; do
  if [[ "$include" == procmatch/v1/*.pb.h ]]; then
    install -D -m 644 "$execroot/${by_include[$include]}" "$include_dir/$include"
  fi
done
install -m 644 proto/procmatch/v1/*.proto "$include_dir/procmatch/v1/"

# pkg-config: everything needed to link a static archive goes in Libs and
# Requires (not .private), so that a plain `pkg-config --libs` is enough.
version=$(sed -nE 's/.*kVersion\[\] = "([^"]+)".*/\1/p' lib/version.h)
requires="protobuf re2 pugixml"
for c in "${absl_components[@]}"; do requires+=" absl_$c"; done
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|${version:-0}|" \
  -e "s|@REQUIRES@|$requires|" tools/procmatch.pc.in \
  >"$lib_dir/pkgconfig/procmatch.pc"

echo "installed procmatch ${version:-} into $prefix:" \
  "lib/libprocmatch.a ($(ar t "$lib_dir/libprocmatch.a" | wc -l) objects from" \
  "${#archives[@]} archives)," \
  "$(find "$include_dir/procmatch" -name '*.h' | wc -l) headers," \
  "lib/pkgconfig/procmatch.pc"
