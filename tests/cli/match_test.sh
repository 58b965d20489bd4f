#!/usr/bin/env bash
# End-to-end: index -> snapshot -> match equals match from raw files; JSONL
# output parses back into MatchResponse; explain; damaged snapshots are
# refused with a clear message; --skip-invalid.
source "$(dirname "$0")/common.sh"
parse="$3"

"$bin" index --suppliers "$S" --out "$tmp/index.snap" 2>"$tmp/err" \
  || fail "index: $(cat "$tmp/err")"
grep -q "indexed 150 suppliers" "$tmp/err" || fail "index message: $(cat "$tmp/err")"

"$bin" match --index "$tmp/index.snap" --tenders "$T" --excluded --output=jsonl \
  >"$tmp/from_snapshot.jsonl" || fail "match --index"
"$bin" match --suppliers "$S" --tenders "$T" --excluded --output=jsonl \
  >"$tmp/from_files.jsonl" || fail "match --suppliers"
cmp -s "$tmp/from_snapshot.jsonl" "$tmp/from_files.jsonl" \
  || fail "snapshot and raw files differ: $(diff "$tmp/from_snapshot.jsonl" "$tmp/from_files.jsonl" | head)"
[ "$(wc -l <"$tmp/from_files.jsonl")" -eq 7 ] || fail "one response per tender"
"$parse" <"$tmp/from_files.jsonl" >"$tmp/parsed" || fail "jsonl is not MatchResponse"
grep -q "7 responses" "$tmp/parsed" || fail "parsed: $(cat "$tmp/parsed")"
# Input order is kept.
head -1 "$tmp/from_files.jsonl" | grep -q '"tender_id":"BE-MOD-2026-UAV"' || fail "order"

# Table output with explanations.
"$bin" match --index "$tmp/index.snap" --tenders "$T" --top 2 --explain \
  --output=table --as-of 2026-09-15 >"$tmp/table" || fail "table"
grep -q "cpv .*exact CPV 35613000" "$tmp/table" || fail "explain components: $(head -20 "$tmp/table")"
grep -q "\[met\]   AQAP: AQAP-2110 certified until 2027-06-30" "$tmp/table" || fail "explain requirements"

id_of() { grep "$1" "$S" | grep -o '"id": "BE-[0-9]*"' | grep -o 'BE-[0-9]*'; }
kempen=$(id_of "Kempen Avionics")
ardenne=$(id_of "Ardenne Composite")
# Explain one pair, eligible and excluded.
"$bin" explain --index "$tmp/index.snap" --tenders "$T" --tender BE-MOD-2026-UAV \
  --supplier "$kempen" >"$tmp/explain" || fail "explain"
grep -q "Kempen Avionics NV" "$tmp/explain" || fail "explain output: $(cat "$tmp/explain")"
"$bin" explain --index "$tmp/index.snap" --tenders "$T" --tender BE-MOD-2026-UAV \
  --supplier "$ardenne" >"$tmp/explain2" || fail "explain excluded"
grep -q "SECRET facility clearance expired on 2024-12-31" "$tmp/explain2" \
  || fail "explain excluded output: $(cat "$tmp/explain2")"
"$bin" explain --index "$tmp/index.snap" --tenders "$T" --tender NOPE \
  --supplier "$kempen" 2>"$tmp/err" && fail "unknown tender accepted"
grep -q 'no valid tender "NOPE"' "$tmp/err" || fail "unknown tender message"

# Damaged snapshots.
cp "$tmp/index.snap" "$tmp/corrupt.snap"
printf '\x55' | dd of="$tmp/corrupt.snap" bs=1 seek=200 conv=notrunc status=none
"$bin" match --index "$tmp/corrupt.snap" --tenders "$T" 2>"$tmp/err" >/dev/null \
  && fail "corrupt snapshot accepted"
grep -q "corrupt.snap: snapshot checksum mismatch" "$tmp/err" || fail "corrupt message: $(cat "$tmp/err")"
head -c 1000 "$tmp/index.snap" >"$tmp/short.snap"
"$bin" match --index "$tmp/short.snap" --tenders "$T" 2>"$tmp/err" >/dev/null \
  && fail "truncated snapshot accepted"
grep -q "checksum mismatch: the file is truncated or corrupted" "$tmp/err" || fail "truncated message"
"$bin" match --index "$S" --tenders "$T" 2>"$tmp/err" >/dev/null && fail "jsonl as snapshot"
grep -q "not a procmatch snapshot" "$tmp/err" || fail "foreign file message"

# A bad supplier record: fails by default, skipped with --skip-invalid.
cp "$S" "$tmp/suppliers.jsonl"
echo '{"id": "BE-BAD", "name": "Bad", "cpv_codes": ["99999999"]}' >>"$tmp/suppliers.jsonl"
"$bin" index --suppliers "$tmp/suppliers.jsonl" --out "$tmp/x.snap" 2>"$tmp/err" \
  && fail "bad record indexed"
grep -q 'record 151: supplier "BE-BAD": cpv_codes\[0\]: unknown CPV code "99999999"' "$tmp/err" \
  || fail "bad record message: $(cat "$tmp/err")"
[ -e "$tmp/x.snap" ] && fail "snapshot written despite errors"
"$bin" index --suppliers "$tmp/suppliers.jsonl" --out "$tmp/x.snap" --skip-invalid \
  2>"$tmp/err" || fail "skip-invalid: $(cat "$tmp/err")"
grep -q "skipped 1 invalid supplier records" "$tmp/err" || fail "skip count"
grep -q "indexed 150 suppliers" "$tmp/err" || fail "skip: indexed"
echo PASS
