#!/usr/bin/env bash
# End-to-end: procmatch import on the real TED and eForms data; a broken file
# in the batch is reported and counted and does not stop the others; the
# supplier corpus built from award history indexes and matches.
source "$(dirname "$0")/common.sh"

printf '<TED_EXPORT DOC_ID="1-2021"><broken>' >"$tmp/broken.xml"
"$bin" import --ted-xml "$data"/ted/xml/*.xml "$tmp/broken.xml" \
  --tenders-out "$tmp/tenders.jsonl" 2>"$tmp/err" && fail "broken file passed"
grep -q "broken.xml: not well-formed XML at byte" "$tmp/err" || fail "broken message"
grep -q "TED XML: 63 imported (.* with warnings), 1 rejected" "$tmp/err" \
  || fail "counts: $(tail -3 "$tmp/err")"
[ "$(wc -l <"$tmp/tenders.jsonl")" -eq 63 ] || fail "63 tenders written"
"$bin" validate --kind=tender "$tmp/tenders.jsonl" 2>"$tmp/err" \
  || fail "imported tenders do not validate: $(head "$tmp/err")"

"$bin" import --eforms "$data"/eforms/*.xml --tenders-out "$tmp/ef.jsonl" \
  2>"$tmp/err" && fail "INVALID eForms passed"
grep -q "eForms: 80 imported (.* with warnings), 12 rejected" "$tmp/err" \
  || fail "eforms counts: $(tail -3 "$tmp/err")"
grep -q "INVALID_cn_24_empty.xml: not a usable notice: missing notice identifier" "$tmp/err" \
  || fail "eforms reason"

"$bin" import --ted-json "$data/ted/notices_dev.jsonl" \
  --suppliers-out "$tmp/suppliers.jsonl" --merges-out "$tmp/merges.tsv" \
  2>"$tmp/err" || fail "ted json: $(tail -3 "$tmp/err")"
grep -q "TED JSON: 1745 imported" "$tmp/err" || fail "json counts: $(tail -3 "$tmp/err")"
grep -q "^ted:IT:ibm-italia	IT	" "$tmp/merges.tsv" || fail "IBM Italia merge"
"$bin" index --suppliers "$tmp/suppliers.jsonl" --out "$tmp/ted.snap" 2>"$tmp/err" \
  || fail "index: $(cat "$tmp/err")"
"$bin" match --index "$tmp/ted.snap" --tenders "$tmp/tenders.jsonl" --top 3 \
  --output=jsonl >"$tmp/matches.jsonl" || fail "match"
[ "$(wc -l <"$tmp/matches.jsonl")" -eq 63 ] || fail "one response per tender"
grep -q '"supplier_id":"ted:' "$tmp/matches.jsonl" || fail "no TED supplier matched"
echo PASS
