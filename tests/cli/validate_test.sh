#!/usr/bin/env bash
# End-to-end: the built procmatch binary validates the bundled sample, and
# reports bad records with file, record number and field path.
source "$(dirname "$0")/common.sh"

"$bin" validate "$S" "$T" 2>"$tmp/err" \
  || fail "bundled sample is invalid: $(cat "$tmp/err")"
grep -q "157 valid, 0 invalid" "$tmp/err" || fail "counts: $(cat "$tmp/err")"

# Record 2 has an unknown CPV code and bad TRL; record 3 is not JSON; the good
# records around them are still counted.
head -1 "$S" >"$tmp/suppliers.jsonl"
head -1 "$S" | sed 's/"35613000"/"35613001"/; s/"technology_readiness": 7/"technology_readiness": 11/' >>"$tmp/suppliers.jsonl"
echo '{"id": "broken",' >>"$tmp/suppliers.jsonl"
sed -n 2p "$S" >>"$tmp/suppliers.jsonl"
"$bin" validate "$tmp/suppliers.jsonl" 2>"$tmp/err" && fail "bad file passed"
grep -q 'suppliers.jsonl: record 2: supplier "BE-.*": capabilities\[0\].cpv_codes\[0\]: unknown CPV code "35613001"' "$tmp/err" \
  || fail "no CPV message: $(cat "$tmp/err")"
grep -q 'record 2: .*capabilities\[0\].technology_readiness: TRL 11 is outside 1-9' "$tmp/err" \
  || fail "no TRL message: $(cat "$tmp/err")"
grep -q 'suppliers.jsonl: record 3: not a SupplierProfile' "$tmp/err" \
  || fail "no parse message: $(cat "$tmp/err")"
grep -q '2 valid, 2 invalid' "$tmp/err" || fail "counts: $(cat "$tmp/err")"

# Unknown kind from the file name, and standard input with --kind.
cp "$T" "$tmp/notices.jsonl"
"$bin" validate "$tmp/notices.jsonl" 2>"$tmp/err" && fail "kind guessed"
grep -q "give --kind" "$tmp/err" || fail "no kind message"
"$bin" validate --kind=tender - <"$T" 2>"$tmp/err" \
  || fail "stdin: $(cat "$tmp/err")"

"$bin" demo --data_dir="$data" >"$tmp/out" 2>&1 || fail "demo: $(cat "$tmp/out")"
grep -q "== BE-MOD-2026-UAV" "$tmp/out" || fail "demo: no UAV tender: $(cat "$tmp/out")"
grep -qE "^ +1\. [0-9.]+ +Kempen Avionics NV" "$tmp/out" || fail "demo: ranking"
grep -q "Consortium for the bundled EDF call" "$tmp/out" || fail "demo: no consortium"
grep -qE "^  #1  score" "$tmp/out" || fail "demo: no proposal: $(tail -20 "$tmp/out")"
grep -q "x .*Brabant Secure Communications BV .*AQAP-2110 certificate expired on 2025-03-31" "$tmp/out" \
  || fail "demo: exclusion reason"
echo PASS
