#!/usr/bin/env bash
# The README's test command, and what CI runs (.ci/run): installs what is
# missing, then runs, each phase timed,
#
#   unit    every test (no benchmark): bazel test //...   (gcc)
#   asan    every test again under ASan+UBSan, clang, in the clang output
#           base (tools/fuzz.sh bazel test --config=fuzz //...)
#   tsan    the tests that start threads under TSan (gcc, --config=tsan)
#   fuzz    each fuzz target for $FUZZ_SECONDS (default 10) from its seeds
#   format  tools/check_format.sh
#   install tests/install_test.sh: tools/install.sh into a temporary prefix,
#           then examples/embed_match.cc built with plain g++ and pkg-config
#   browser tests/coverage_browser_test.sh: the HTML coverage report loaded in
#           headless Chromium (installed by it), screenshot and console
#
# and ends with "N passed, N failed" over all phases: a test target, a fuzz
# target or the format check counts one. PHASES="unit asan" runs only those.
# Bazel commands hold $PROCMATCH_BAZEL_LOCK (default /tmp/procmatch-bazel.lock,
# "" for none) when flock exists, so do not run this script under that lock.
# Arguments go to the unit phase's `bazel test`.
set -uo pipefail
cd "$(dirname "$0")/.."
# The tests include smoke runs of the benchmarks, which need Xapian.
tools/install_deps.sh --benchmarks || exit 1

PHASES="${PHASES:-unit asan tsan fuzz format install browser}"
FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
export PROCMATCH_BAZEL_LOCK="${PROCMATCH_BAZEL_LOCK-/tmp/procmatch-bazel.lock}"

# clang, its sanitizer and libFuzzer runtimes, and clang-format, for the
# asan, fuzz and format phases (tools/install_deps.sh installs the gcc build).
need=()
for p in clang libclang-rt-14-dev clang-format; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] \
    || need+=("$p")
done
if [[ ${#need[@]} -gt 0 ]]; then
  echo "procmatch: installing ${need[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || exit 1
fi

locked_bazel() {
  if [[ -n "$PROCMATCH_BAZEL_LOCK" ]] && command -v flock >/dev/null; then
    # -o: a Bazel server this starts must not inherit (and keep) the lock.
    flock -o "$PROCMATCH_BAZEL_LOCK" bazel "$@"
  else
    bazel "$@"
  fi
}

log=$(mktemp)
fuzz_dir=$(mktemp -d)
trap 'rm -rf "$log" "$fuzz_dir"' EXIT
total_passed=0
total_failed=0
rc=0
timings=()

# Shows a `bazel test` log without the noise and counts its targets.
count_bazel() {
  grep -vE '^(INFO|Loading|Analyzing|Target )|^  ' "$log" || true
  passed=$(grep -cE '^//\S+\s+(\(cached\) )?PASSED' "$log" || true)
  failed=$(grep -cE '^//\S+\s+.*(FAILED|TIMEOUT|NO STATUS|INCOMPLETE)' "$log" || true)
}

for phase in $PHASES; do
  echo "=== $phase"
  start=$SECONDS
  passed=0
  failed=0
  case "$phase" in
    unit)
      locked_bazel test //... --test_summary=short --noshow_progress "$@" >"$log" 2>&1
      status=$?
      count_bazel
      ;;
    asan)
      # Named packages, not //...: the gcc build's bazel-<dir> symlinks in
      # the checkout lead into the other output base. --build_tests_only:
      # the benchmark binaries no test runs are the unit phase's to build
      # (under ASan they cost about 80 s of compiling and test nothing).
      tools/fuzz.sh bazel test --config=fuzz //tests/... //examples/... \
        //benchmarks/... --build_tests_only --test_summary=short \
        --noshow_progress >"$log" 2>&1
      status=$?
      count_bazel
      ;;
    tsan)
      # Every test whose source starts threads (MatchBatch, std::thread).
      tsan_tests=()
      # Not service_test: its threads synchronise inside Debian's gRPC, which
      # is not built with TSan, so TSan cannot see those edges (false
      # reports). The service's own state is covered by the asan phase and by
      # the library tests here.
      for f in $(grep -lE 'MatchBatch|std::thread|std::async' tests/*_test.cc); do
        [[ $(basename "$f") == service_test.cc ]] && continue
        tsan_tests+=("//tests:$(basename "$f" .cc)")
      done
      # DetectLanguageTest.HeldOutNotices starts no thread; under TSan it
      # crashes inside protobuf's inline Map lookup on the Struct that Debian's
      # (uninstrumented) libprotobuf parsed for ImportTedReducedJson, while the
      # same test passes in the unit and ASan phases and the ted_json fuzzer
      # runs that reader under ASan+UBSan. It is left to those phases.
      locked_bazel test --config=tsan "${tsan_tests[@]}" --test_summary=short \
        --test_filter=-DetectLanguageTest.HeldOutNotices \
        --noshow_progress >"$log" 2>&1
      status=$?
      count_bazel
      ;;
    fuzz)
      # The kept inputs of past findings first, then a short run per target.
      { tools/fuzz.sh replay all &&
        PROCMATCH_FUZZ_DIR="$fuzz_dir" tools/fuzz.sh all "$FUZZ_SECONDS"; } 2>&1 | tee "$log"
      status=${PIPESTATUS[0]}
      passed=$(grep -cE '^fuzz \S+: .*, OK$' "$log" || true)
      failed=$(grep -cE '^fuzz \S+: .*CRASH' "$log" || true)
      ;;
    install | browser)
      script=tests/install_test.sh
      [[ "$phase" == browser ]] && script=tests/coverage_browser_test.sh
      "$script" 2>&1 | tee "$log"
      status=${PIPESTATUS[0]}
      passed=$(sed -nE 's/^([0-9]+) passed, [0-9]+ failed$/\1/p' "$log" | tail -1)
      failed=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p' "$log" | tail -1)
      passed=${passed:-0}
      failed=${failed:-0}
      ;;
    format)
      tools/check_format.sh
      status=$?
      if [[ $status -eq 0 ]]; then passed=1; else failed=1; fi
      ;;
    *)
      echo "tools/test.sh: unknown phase '$phase'" >&2
      status=2
      failed=1
      ;;
  esac
  # A phase that fails without a failed target (Bazel could not build or
  # start) counts as one failure.
  [[ $status -ne 0 && $failed -eq 0 ]] && failed=1
  [[ $status -ne 0 && $rc -eq 0 ]] && rc=$status
  took=$((SECONDS - start))
  timings+=("$phase ${took}s: ${passed} passed, ${failed} failed")
  echo "=== $phase: ${passed} passed, ${failed} failed in ${took} s"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
done

printf '%s\n' "${timings[@]}"
echo "${total_passed} passed, ${total_failed} failed"
# CI must end cleanly: no Bazel server left behind.
if [[ "${CI:-}" == "true" ]]; then
  bazel shutdown 2>/dev/null
  [[ " $PHASES " == *" asan "* || " $PHASES " == *" fuzz "* ]] \
    && tools/fuzz.sh bazel shutdown 2>/dev/null
fi
exit "$rc"
