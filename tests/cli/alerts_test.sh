#!/usr/bin/env bash
# End-to-end: procmatch alerts on the real TED notices. Malformed rules are
# reported with file, record and field; with --state a notice alerts once,
# a corrected notice again only when what matched changed; and the output is
# exactly once across SIGKILLs at random moments: the file left by many
# killed runs and one that completes equals the file of one clean run.
source "$(dirname "$0")/common.sh"

cat >"$tmp/rules.jsonl" <<'RULES'
{"id":"construction-fr","subscriber":"ops@example.fr","cpv_prefixes":["45"],"buyer_countries":["FR"]}
{"id":"it-services","subscriber":"BE-0494256174","cpv_prefixes":["72","48"]}
{"id":"medical","subscriber":"med@example.de","cpv_prefixes":["33"]}
{"id":"defence","subscriber":"BE-0420945851","legal_bases":["LEGAL_BASIS_DEFENCE_DIRECTIVE_2009_81_EC"]}
{"id":"vehicles","subscriber":"BE-0619930958","cpv_prefixes":["341","342"],"min_value":{"amount":100000,"currency":"EUR"}}
{"id":"belgium","subscriber":"BE-0410472920","nuts_prefixes":["BE"]}
{"id":"cleaning","subscriber":"clean@example.nl","keywords":["cleaning","nettoyage","schoonmaak","Reinigung"]}
{"id":"big","subscriber":"big@example.eu","min_value":{"amount":10000000,"currency":"EUR"}}
{"id":"award-de","subscriber":"watch@example.de","notice_kinds":["NOTICE_KIND_CONTRACT_AWARD"],"buyer_countries":["DE"]}
RULES
printf '%s\n' '{"id":"","cpv_prefixes":["3x"]}' >"$tmp/bad.jsonl"

# A malformed rule names file, record and field, and stops the run.
"$bin" alerts --rules "$tmp/rules.jsonl" "$tmp/bad.jsonl" \
  --ted-json "$data/ted/notices_dev.jsonl" --out "$tmp/x.jsonl" 2>"$tmp/err" \
  && fail "bad rule accepted"
grep -q 'bad.jsonl: record 1: alert rule "": cpv_prefixes\[0\]: "3x" is not 2-8 digits' "$tmp/err" \
  || fail "bad rule message: $(cat "$tmp/err")"
grep -q 'bad.jsonl: record 1: alert rule "": id: is empty' "$tmp/err" || fail "id message"

# A clean run, timed: the kills below fall within its length, so they land
# mid-stream on a fast build and under a sanitizer alike.
start_ns=$(date +%s%N)
"$bin" alerts --rules "$tmp/rules.jsonl" --ted-json "$data/ted/notices_dev.jsonl" \
  --state "$tmp/clean.db" --out "$tmp/clean.jsonl" --batch 16 2>"$tmp/err" \
  || fail "clean run: $(cat "$tmp/err")"
run_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
[ "$run_ms" -gt 100 ] || run_ms=100
alerts=$(wc -l <"$tmp/clean.jsonl")
[ "$alerts" -gt 500 ] || fail "only $alerts alerts"
grep -q "1745 notices read, 0 failed to import, 0 notice files unreadable, $alerts alerts written" "$tmp/err" \
  || fail "summary: $(cat "$tmp/err")"
[ "$(sort -u "$tmp/clean.jsonl" | wc -l)" -eq "$alerts" ] || fail "repeated alert"
# Without state, the same alerts.
"$bin" alerts --rules "$tmp/rules.jsonl" --ted-json "$data/ted/notices_dev.jsonl" \
  --out "$tmp/stateless.jsonl" 2>/dev/null || fail "stateless run"
cmp -s "$tmp/clean.jsonl" "$tmp/stateless.jsonl" || fail "state changed the alerts"

# Seen before: a second run alerts nothing.
"$bin" alerts --rules "$tmp/rules.jsonl" --ted-json "$data/ted/notices_dev.jsonl" \
  --state "$tmp/clean.db" --out "$tmp/clean.jsonl" 2>"$tmp/err" || fail "rerun"
grep -q " 0 alerts written" "$tmp/err" || fail "rerun alerted: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/clean.jsonl")" -eq "$alerts" ] || fail "rerun changed the file"

# Killed at random moments, then run to the end.
kills=0
for i in $(seq 1 25); do
  "$bin" alerts --rules "$tmp/rules.jsonl" --ted-json "$data/ted/notices_dev.jsonl" \
    --state "$tmp/killed.db" --out "$tmp/killed.jsonl" --batch 16 2>/dev/null &
  pid=$!
  ms=$(( (RANDOM * 32768 + RANDOM) % run_ms + 20 ))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
done
[ "$kills" -ge 5 ] || fail "only $kills runs were killed while running"
before=$(wc -l <"$tmp/killed.jsonl" 2>/dev/null || echo 0)
# Killed runs committed and wrote some alerts (the kills were mid-stream).
[ "$before" -gt 0 ] || fail "no killed run got as far as writing an alert"
"$bin" alerts --rules "$tmp/rules.jsonl" --ted-json "$data/ted/notices_dev.jsonl" \
  --state "$tmp/killed.db" --out "$tmp/killed.jsonl" --batch 16 2>"$tmp/err" \
  || fail "final run: $(cat "$tmp/err")"
cmp "$tmp/clean.jsonl" "$tmp/killed.jsonl" \
  || fail "after $kills kills: $(wc -l <"$tmp/killed.jsonl") lines, want $alerts; $(diff "$tmp/clean.jsonl" "$tmp/killed.jsonl" | head -4)"

# A corrected notice (same tender id): alerts again only when a matched
# criterion changed, and says what changed.
head -1 "$T" >"$tmp/t1.jsonl"
printf '%s\n' '{"id":"uav","subscriber":"BE-0410472920","cpv_prefixes":["3561"],"min_value":{"amount":1000000,"currency":"EUR"}}' >"$tmp/uav.jsonl"
run_uav() {
  "$bin" alerts --rules "$tmp/uav.jsonl" --notices "$1" --state "$tmp/uav.db" \
    --out "$tmp/uav_out.jsonl" 2>"$tmp/err" || fail "uav run: $(cat "$tmp/err")"
}
run_uav "$tmp/t1.jsonl"
[ "$(wc -l <"$tmp/uav_out.jsonl")" -eq 1 ] || fail "first alert"
sed 's/"title": "[^"]*"/"title": "Systèmes de drones (rectificatif)"/' "$tmp/t1.jsonl" >"$tmp/t2.jsonl"
run_uav "$tmp/t2.jsonl"
[ "$(wc -l <"$tmp/uav_out.jsonl")" -eq 1 ] || fail "title change alerted"
sed 's/"amount": 9000000.0/"amount": 12000000.0/' "$tmp/t1.jsonl" >"$tmp/t3.jsonl"
run_uav "$tmp/t3.jsonl"
[ "$(wc -l <"$tmp/uav_out.jsonl")" -eq 2 ] || fail "value change did not alert"
tail -1 "$tmp/uav_out.jsonl" | grep -q '"changes":\["was: estimated value 9,000,000 EUR at least 1,000,000 EUR","now: estimated value 12,000,000 EUR at least 1,000,000 EUR"\]' \
  || fail "changes: $(tail -1 "$tmp/uav_out.jsonl")"

# An eForms change notice is filed under the notice it changes
# (Tender.changes_notice_id): the same criteria matching again do not alert
# again, as a notice under its own id would.
printf '%s\n' '{"id":"survey","subscriber":"x@example.eu","cpv_prefixes":["7163"]}' >"$tmp/survey.jsonl"
run_survey() {
  "$bin" alerts --rules "$tmp/survey.jsonl" --notices "$1" --state "$2" \
    --out "$3" 2>"$tmp/err" || fail "survey run: $(cat "$tmp/err")"
}
run_survey "$data/eforms/cn_24_open.xml" "$tmp/survey.db" "$tmp/survey.jsonl.out"
run_survey "$data/eforms/change-cn_24_open_dates.xml" "$tmp/survey.db" "$tmp/survey.jsonl.out"
[ "$(wc -l <"$tmp/survey.jsonl.out")" -eq 1 ] \
  || fail "change notice alerted again: $(tail -1 "$tmp/survey.jsonl.out")"
run_survey "$data/eforms/change-cn_24_open_dates.xml" "$tmp/fresh.db" "$tmp/fresh.out"
[ "$(wc -l <"$tmp/fresh.out")" -eq 1 ] || fail "change notice alone did not alert"

# --state without --out is refused: alerts go to a file.
"$bin" alerts --rules "$tmp/uav.jsonl" --notices "$tmp/t1.jsonl" --state "$tmp/s" \
  2>"$tmp/err" && fail "state without out"
grep -q "needs --out" "$tmp/err" || fail "state without out message"
echo "PASS ($alerts alerts; $kills kills had written $before before the last run)"
