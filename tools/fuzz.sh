#!/usr/bin/env bash
# Builds and runs procmatch's libFuzzer targets (tests/fuzz, doc/reliability.md).
#
#   tools/fuzz.sh TARGET SECONDS     fuzz one target (e.g. ted_xml) that long
#   tools/fuzz.sh all SECONDS        each target in turn
#   tools/fuzz.sh T1,T2 SECONDS      the targets named, in turn
#   tools/fuzz.sh replay TARGET|all  run each input of tests/fuzz/regressions/
#                                    TARGET once (a crash reproducer stays
#                                    there after its fix, as a test)
#   tools/fuzz.sh list               the targets
#   tools/fuzz.sh bazel ARGS...      Bazel in the clang output base, e.g.
#                                    tools/fuzz.sh bazel test --config=fuzz //...
#
# Everything clang builds lives in a separate Bazel output base
# ($PROCMATCH_CLANG_OUTPUT_BASE, by default one per checkout under
# ~/.cache/procmatch-clang), so the gcc build is never reconfigured. Bazel
# commands hold the lock $PROCMATCH_BAZEL_LOCK (default
# /tmp/procmatch-bazel.lock) when flock exists; the fuzzing itself does not.
#
# Each run starts from a copy of the target's seeds (tests/fuzz/corpus/TARGET)
# in $PROCMATCH_FUZZ_DIR/TARGET (default ~/.cache/procmatch-fuzz, kept between
# runs so the corpus grows), with the target's dictionary, inputs up to 1 MB,
# 2 GB of memory and 10 s per input. Crashes are written to
# $PROCMATCH_FUZZ_DIR/TARGET/crashes/. PROCMATCH_FUZZ_BIN=DIR runs the targets
# already built in DIR (the clang bazel-bin) without Bazel, so long campaigns
# do not wait for the Bazel lock between targets. FUZZ_NICE sets the niceness (default
# 10), FUZZ_ARGS adds libFuzzer flags.
#
# The exit status is 0 when every target ran its time without a finding.
# The last line per target is "fuzz TARGET: N execs in S s (R/s), OK" or
# "..., CRASH <file>".
set -uo pipefail
cd "$(dirname "$0")/.."
readonly ROOT="$PWD"
readonly TARGETS=(records_jsonl records_textproto records_binpb ted_xml
  ted_json eforms snapshot alert_rules keyword_patterns requests_jsonl match
  text)
readonly OUTPUT_BASE="${PROCMATCH_CLANG_OUTPUT_BASE:-$HOME/.cache/procmatch-clang/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)}"
readonly LOCK="${PROCMATCH_BAZEL_LOCK:-/tmp/procmatch-bazel.lock}"
readonly WORK="${PROCMATCH_FUZZ_DIR:-$HOME/.cache/procmatch-fuzz}"

clang_bazel() {
  local cmd=(bazel "--output_base=$OUTPUT_BASE" "$@")
  if command -v flock >/dev/null; then
    # -o: a Bazel server this starts must not inherit (and keep) the lock.
    flock -o "$LOCK" "${cmd[@]}"
  else
    "${cmd[@]}"
  fi
}

dictionary_of() {
  case "$1" in
    records_jsonl | ted_json | requests_jsonl | match) echo tests/fuzz/json.dict ;;
    records_textproto) echo tests/fuzz/textproto.dict ;;
    ted_xml) echo tests/fuzz/ted_xml.dict ;;
    eforms) echo tests/fuzz/eforms.dict ;;
    snapshot) echo tests/fuzz/snapshot.dict ;;
    alert_rules) echo tests/fuzz/alert_rules.dict ;;
    keyword_patterns) echo tests/fuzz/keyword_patterns.dict ;;
    text) echo tests/fuzz/text.dict ;;
  esac
}

# Runs an already built target; prints its summary line.
run_target() {
  local target="$1" seconds="$2"
  local binary="$BIN/tests/fuzz/${target}_fuzzer"
  local dir="$WORK/$target"
  mkdir -p "$dir/corpus" "$dir/crashes"
  cp -n "tests/fuzz/corpus/$target"/* "$dir/corpus/" 2>/dev/null
  local flags=(-max_len=1048576 -rss_limit_mb=2048 -timeout=10
    "-max_total_time=$seconds" -print_final_stats=1
    "-artifact_prefix=$dir/crashes/")
  local dict
  dict=$(dictionary_of "$target")
  [[ -n "$dict" ]] && flags+=("-dict=$ROOT/$dict")
  local log="$dir/last.log"
  local before
  before=$(ls "$dir/crashes" | wc -l)
  local start=$SECONDS
  # shellcheck disable=SC2086
  nice -n "${FUZZ_NICE:-10}" "$binary" "${flags[@]}" ${FUZZ_ARGS:-} \
    "$dir/corpus" >"$log" 2>&1
  local rc=$?
  local execs time
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # -fork=N (e.g. FUZZ_ARGS="-fork=1 -ignore_crashes=1" to go on after a
  # crash) prints "#EXECS: cov: ... exec/s N ... time: Ss" instead.
  [[ -z "$execs" ]] && execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -1)
  time=$(sed -n 's/.*Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  [[ -z "$time" ]] && time=$(sed -n 's/^#[0-9]*: cov:.* time: \([0-9]*\)s.*/\1/p' "$log" | tail -1)
  [[ -z "$time" ]] && time=$((SECONDS - start))
  local rate=$((${execs:-0} / (time > 0 ? time : 1)))
  local found
  found=$(($(ls "$dir/crashes" | wc -l) - before))
  if [[ $rc -eq 0 && $found -eq 0 ]]; then
    echo "fuzz $target: ${execs:-0} execs in ${time} s (${rate}/s), corpus $(ls "$dir/corpus" | wc -l), OK"
    return 0
  fi
  # Show the report: the sanitizer's or libFuzzer's, from its first line.
  grep -E '^==[0-9]+==|^SUMMARY|runtime error|^ +#[0-9]+ ' "$log" | head -40
  local crashes
  crashes=$(ls -t "$dir/crashes" | head -n "$found" | sed "s|^|$dir/crashes/|" | tr '\n' ' ')
  [[ $found -gt 0 ]] || crashes="(none written; see $log)"
  echo "fuzz $target: ${execs:-?} execs in ${time} s (${rate}/s), CRASH ${crashes% }"
  return 1
}

case "${1:-}" in
  bazel)
    shift
    clang_bazel "$@"
    exit
    ;;
  list)
    printf '%s\n' "${TARGETS[@]}"
    exit 0
    ;;
  "" | -h | --help)
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
    ;;
esac

mode=fuzz
if [[ "$1" == replay ]]; then
  mode=replay
  shift
fi
target="${1:-all}"
seconds="${2:-60}"
mkdir -p "$WORK"
if [[ "$target" == all ]]; then
  selected=("${TARGETS[@]}")
else
  # One target, or several separated by commas (built once, run in turn).
  IFS=, read -ra selected <<<"$target"
  for t in "${selected[@]}"; do
    [[ " ${TARGETS[*]} " == *" $t "* ]] || {
      echo "tools/fuzz.sh: unknown target '$t' (tools/fuzz.sh list)" >&2
      exit 2
    }
  done
fi

labels=()
for t in "${selected[@]}"; do labels+=("//tests/fuzz:${t}_fuzzer"); done
if [[ -n "${PROCMATCH_FUZZ_BIN:-}" ]]; then
  BIN="$PROCMATCH_FUZZ_BIN"
else
  clang_bazel build --config=fuzz --noshow_progress "${labels[@]}" || exit 1
  BIN=$(clang_bazel info --config=fuzz bazel-bin 2>/dev/null) || exit 1
fi

if [[ "$mode" == replay ]]; then
  failed=0
  for t in "${selected[@]}"; do
    inputs=(tests/fuzz/regressions/"$t"/*)
    [[ -e "${inputs[0]}" ]] || continue
    if "$BIN/tests/fuzz/${t}_fuzzer" -timeout=10 \
      -rss_limit_mb=2048 "${inputs[@]}" >"$WORK/replay.log" 2>&1; then
      echo "replay $t: ${#inputs[@]} inputs, OK"
    else
      grep -E '^==[0-9]+==|^SUMMARY|runtime error|^Running' "$WORK/replay.log" | tail -5
      echo "replay $t: FAILED"
      failed=$((failed + 1))
    fi
  done
  exit $((failed > 0))
fi

failed=0
for t in "${selected[@]}"; do
  run_target "$t" "$seconds" || failed=$((failed + 1))
done
exit $((failed > 0))
