#!/usr/bin/env bash
# End-to-end: procmatch consortium on the bundled EDF-style call, as a table
# and as JSONL; partners for a given company; an ineligible or unknown one.
source "$(dirname "$0")/common.sh"
P="$data/sample/partners.jsonl"
C="$data/sample/edf_call.jsonl"

"$bin" consortium --suppliers "$P" --call "$C" --top 3 --output=table \
  >"$tmp/table" 2>"$tmp/err" || fail "table: $(cat "$tmp/err")"
grep -q "^  #3  score" "$tmp/table" || fail "three proposals: $(head -20 "$tmp/table")"
grep -q "ok   independence: " "$tmp/table" || fail "independence rule"
grep -q "coordinator " "$tmp/table" || fail "roles"

"$bin" consortium --suppliers "$P" --call "$C" >"$tmp/out.jsonl" \
  || fail "jsonl"
[ "$(wc -l <"$tmp/out.jsonl")" -eq 1 ] || fail "one response per call"
grep -q '"call_id":"EDF-2026-DA-C-UAS"' "$tmp/out.jsonl" || fail "call id"
[ "$(grep -o '"rank":' "$tmp/out.jsonl" | wc -l)" -ge 5 ] || fail "five proposals"

"$bin" consortium --suppliers "$P" --call "$C" --with NO-FJORD-RADAR \
  --output=table --top 1 >"$tmp/with" || fail "--with"
grep -q "coordinator Fjordradar AS  .*WP1 .*\[required\]" "$tmp/with" \
  || fail "partners for me: $(head -8 "$tmp/with")"

"$bin" consortium --suppliers "$P" --call "$C" --with GB-THAMES-EW \
  --output=table >"$tmp/gb" || fail "ineligible --with"
grep -q "no eligible consortium: required member Thames Electronic Warfare Ltd (GB-THAMES-EW) is not eligible" \
  "$tmp/gb" || fail "ineligible reason: $(cat "$tmp/gb")"

"$bin" consortium --suppliers "$P" --call "$C" --with XX-UNKNOWN \
  >/dev/null 2>"$tmp/err" && fail "unknown --with accepted"
grep -q 'required supplier "XX-UNKNOWN" is not in the index' "$tmp/err" \
  || fail "unknown message: $(cat "$tmp/err")"
echo PASS
