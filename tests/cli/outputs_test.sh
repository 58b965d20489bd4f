#!/usr/bin/env bash
# Issue 10, the command line: outputs are checked before any input is read,
# written atomically, never over a device or each other; unreadable inputs
# say so; the record kind comes from the file name; --skip-invalid behaves
# the same in index and match.
source "$(dirname "$0")/common.sh"

# An output name without a record format fails before the import runs.
"$bin" import --ted-json "$data/ted/notices_dev.jsonl" --tenders-out "$tmp/out" \
  2>"$tmp/err" && fail "import accepted an output without extension"
grep -q -- "--tenders-out: .*unknown record format" "$tmp/err" || fail "$(cat "$tmp/err")"
grep -q "imported" "$tmp/err" && fail "import ran before checking outputs"

# The same file for two outputs is refused.
"$bin" import --ted-json "$data/ted/notices_dev.jsonl" --tenders-out "$tmp/a.jsonl" \
  --suppliers-out "$tmp/a.jsonl" 2>"$tmp/err" && fail "same output twice accepted"
grep -q "name the same file" "$tmp/err" || fail "$(cat "$tmp/err")"

# A device is never replaced; a missing directory is named.
"$bin" index --suppliers "$S" --out /dev/null 2>"$tmp/err" && fail "index over /dev/null"
grep -q "not a regular file" "$tmp/err" || fail "$(cat "$tmp/err")"
"$bin" index --suppliers "$S" --out "$tmp/nodir/x.snap" 2>"$tmp/err" && fail "missing dir"
grep -q "No such file or directory" "$tmp/err" || fail "$(cat "$tmp/err")"

# A good run leaves the snapshot and no temporary behind; a previous output
# is replaced whole.
echo "previous" >"$tmp/index.snap"
"$bin" index --suppliers "$S" --out "$tmp/index.snap" 2>/dev/null || fail "index"
[ "$(ls "$tmp" | grep -c tmp)" -eq 0 ] || fail "temporary left: $(ls "$tmp")"
head -c 8 "$tmp/index.snap" | grep -q PROCMSNP || fail "snapshot not written"

# A missing input says it cannot be read, not "use --skip-invalid".
"$bin" index --suppliers "$tmp/missing.jsonl" --out "$tmp/m.snap" 2>"$tmp/err" \
  && fail "missing input accepted"
grep -q "cannot open" "$tmp/err" || fail "$(cat "$tmp/err")"
grep -q "could not be read" "$tmp/err" || fail "$(cat "$tmp/err")"
grep -q "skip-invalid" "$tmp/err" && fail "misleading advice: $(cat "$tmp/err")"

# The kind comes from the file name, not the directories above it.
mkdir -p "$tmp/suppliers"
cp "$T" "$tmp/suppliers/tenders.jsonl"
"$bin" validate "$tmp/suppliers/tenders.jsonl" 2>"$tmp/err" || fail "$(cat "$tmp/err")"
grep -q "7 valid, 0 invalid" "$tmp/err" || fail "$(cat "$tmp/err")"

# --skip-invalid: one count per kind of record, and exit 0 as index does.
{ cat "$T"; echo '{"id": "BAD", "title": "x", "main_cpv": "99999999"}'; } >"$tmp/tenders.jsonl"
"$bin" match --suppliers "$S" --tenders "$tmp/tenders.jsonl" --skip-invalid \
  --output=jsonl >"$tmp/out.jsonl" 2>"$tmp/err" || fail "match --skip-invalid: $(cat "$tmp/err")"
grep -q "skipped 1 invalid tender records" "$tmp/err" || fail "$(cat "$tmp/err")"
[ "$(grep -c skipped "$tmp/err")" -eq 1 ] || fail "two counts: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out.jsonl")" -eq 7 ] || fail "matched tenders"
echo PASS
