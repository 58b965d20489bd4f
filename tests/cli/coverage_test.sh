#!/usr/bin/env bash
# procmatch coverage end to end on the Belgian sample and the starter areas:
# JSON Lines in a pipe, a table on request, CSV tables and the HTML page
# written, a bad area named with its file and record, and a Europe-wide run
# over award notices.
source "$(dirname "$0")/common.sh"
A="$data/coverage/edf_categories.jsonl"

"$bin" coverage --suppliers "$S" --areas "$A" --country BE --as-of 2026-06-01 \
  --html "$tmp/report.html" --csv "$tmp" >"$tmp/report.jsonl" 2>"$tmp/err" \
  || fail "coverage: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/report.jsonl")" -eq 1 ] || fail "not one JSON line"
grep -q '"suppliers_in_scope":150' "$tmp/report.jsonl" || fail "$(head -c 300 "$tmp/report.jsonl")"
[ "$(grep -o '"area":{' "$tmp/report.jsonl" | wc -l)" -eq 17 ] || fail "not 17 areas"
for t in areas regions certifications clearances winners trend; do
  [ -s "$tmp/$t.csv" ] || fail "no $t.csv"
done
[ "$(wc -l <"$tmp/areas.csv")" -eq 18 ] || fail "areas.csv: $(wc -l <"$tmp/areas.csv") lines"
head -1 "$tmp/areas.csv" | grep -q '^area_id,name,edf_category,' || fail "areas.csv header"
grep -q '^EDF-AIR,Air combat,AIR,' "$tmp/areas.csv" || fail "no EDF-AIR row"
grep -q '<svg' "$tmp/report.html" || fail "no chart"
grep -qiE 'https?:|<script' "$tmp/report.html" && fail "HTML not self-contained"

"$bin" coverage --suppliers "$S" --areas "$A" --country BE --output table \
  >"$tmp/table.txt" 2>&1 || fail "table"
grep -q "^coverage of BE: 150 suppliers in scope, 17 areas" "$tmp/table.txt" \
  || fail "$(head -3 "$tmp/table.txt")"

# A bad area is named with its file, record and field.
{ head -2 "$A"; echo '{"id":"EDF-SENS-X","cpv_codes":["3530000"],"edf_category":"SENSORS"}'; } \
  >"$tmp/bad_areas.jsonl"
"$bin" coverage --suppliers "$S" --areas "$tmp/bad_areas.jsonl" --country BE \
  >/dev/null 2>"$tmp/err" && fail "bad area accepted"
grep -q 'bad_areas.jsonl: record 3: capability area "EDF-SENS-X": cpv_codes\[0\]' \
  "$tmp/err" || fail "$(cat "$tmp/err")"
grep -q 'edf_category: unknown EDF category "SENSORS"' "$tmp/err" || fail "$(cat "$tmp/err")"

# A new CSV directory is made; one whose parent does not exist fails before
# any work, with the reason.
"$bin" coverage --suppliers "$S" --areas "$A" --csv "$tmp/new" >/dev/null \
  2>"$tmp/err" || fail "new CSV directory: $(cat "$tmp/err")"
[ -s "$tmp/new/areas.csv" ] || fail "no areas.csv in the new directory"
"$bin" coverage --suppliers "$S" --areas "$A" --csv "$tmp/missing/dir" \
  >/dev/null 2>"$tmp/err" && fail "CSV directory under a missing one accepted"
grep -q "cannot make directory" "$tmp/err" || fail "message: $(cat "$tmp/err")"

# Europe-wide over imported TED award notices: the winners become suppliers.
"$bin" import --ted-json "$data/ted/notices_dev.jsonl" --tenders-out "$tmp/t.jsonl" \
  --suppliers-out "$tmp/s.jsonl" 2>/dev/null || fail "import"
"$bin" coverage --suppliers "$tmp/s.jsonl" --areas "$A" --awards "$tmp/t.jsonl" \
  --output jsonl >"$tmp/eu.jsonl" 2>"$tmp/err" || fail "Europe-wide: $(cat "$tmp/err")"
grep -q '"award_history":{"contracts":[1-9]' "$tmp/eu.jsonl" || fail "no award history"
echo "PASS"
