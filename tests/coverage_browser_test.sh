#!/usr/bin/env bash
# The coverage report's HTML page in a real browser: renders the Belgian
# sample's report with headless Chromium (offline: every host name resolves
# to nothing), checks that the screenshot is not blank and that the page
# logged no console error or failed load. Run from CI (not `bazel test`: it
# installs Chromium when missing). Ends with "N passed, N failed"; skips
# cleanly, with "0 passed, 0 failed", only when Chromium cannot be installed.
#
#   tests/coverage_browser_test.sh            # builds //examples:procmatch
#   PROCMATCH=path/to/procmatch tests/coverage_browser_test.sh
set -uo pipefail
cd "$(dirname "$0")/.."

if ! tools/install_deps.sh --browser >/dev/null 2>&1 || ! command -v chromium >/dev/null; then
  echo "coverage_browser_test: skipped: cannot install chromium"
  echo "0 passed, 0 failed"
  exit 0
fi

procmatch="${PROCMATCH:-}"
if [[ -z "$procmatch" ]]; then
  bazel build --noshow_progress //examples:procmatch >/dev/null 2>&1 || {
    echo "coverage_browser_test: cannot build //examples:procmatch"
    echo "0 passed, 1 failed"
    exit 1
  }
  procmatch="bazel-bin/examples/procmatch"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=()

# Screenshot of file $1 into $2, browser log into $3.
shoot() {
  chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$work/profile-$RANDOM" \
    --host-resolver-rules="MAP * ~NOTFOUND" \
    --enable-logging=stderr --v=0 \
    --screenshot="$2" --window-size=1200,1600 "file://$1" >"$3" 2>&1
}

"$procmatch" coverage --suppliers data/sample/suppliers.jsonl \
  --areas data/coverage/edf_categories.jsonl --country BE \
  --as-of 2026-06-01 --html "$work/report.html" --output jsonl \
  >"$work/report.jsonl" || failures+=("procmatch coverage failed")

if [[ -s "$work/report.html" ]]; then
  # Self-contained: no URL, no script, no external style or font.
  if grep -qiE 'https?:|<script|url\(|@import|<link|<img' "$work/report.html"; then
    failures+=("report.html refers to something outside itself")
  fi
  shoot "$work/report.html" "$work/report.png" "$work/report.log"
  [[ -s "$work/report.png" ]] || failures+=("no screenshot of report.html")
  if grep -E 'CONSOLE|Uncaught|net::ERR_|Failed to load resource' \
      "$work/report.log"; then
    failures+=("console error or failed load while rendering report.html")
  fi
  if [[ -s "$work/report.png" ]] &&
      ! python3 tests/png_check.py "$work/report.png" 16 30; then
    failures+=("report.png looks blank")
  fi
else
  failures+=("no report.html")
fi

# The checks must be able to fail: an empty page is blank ...
printf '<!DOCTYPE html><html><body></body></html>\n' >"$work/blank.html"
shoot "$work/blank.html" "$work/blank.png" "$work/blank.log"
if [[ ! -s "$work/blank.png" ]] ||
    python3 tests/png_check.py "$work/blank.png" 16 30 >/dev/null; then
  failures+=("the blankness check does not see a blank page")
fi

# And the console check must see an error when there is one.
printf '<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>\n' \
  >"$work/broken.html"
shoot "$work/broken.html" "$work/broken.png" "$work/broken.log"
grep -qE 'CONSOLE|Uncaught' "$work/broken.log" ||
  failures+=("the console check does not see a script error")

for f in "${failures[@]}"; do echo "FAILED: $f"; done
if [[ ${#failures[@]} -eq 0 ]]; then
  echo "coverage_browser_test: PASSED"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "0 passed, 1 failed"
exit 1
