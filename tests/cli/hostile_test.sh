#!/usr/bin/env bash
# Hostile inputs found by the campaign of doc/reliability.md ("Hostile
# inputs"), each a failure of "nothing already accepted is lost" before its
# fix: an alert output file cut to nothing by a new or damaged --state, and
# an imported notice too large to be read back.
source "$(dirname "$0")/common.sh"
R="$data/sample/alert_rules.jsonl"
alerts() { "$bin" alerts --rules "$R" --suppliers "$S" --notices "$T" "$@"; }

# A state that records no alert written never cuts an existing output file
# back: before, a new --state directory (or one whose log was damaged and
# read as empty) truncated the file to 0 bytes.
printf 'alerts of another state\n' >"$tmp/kept.jsonl"
alerts --state "$tmp/new.db" --out "$tmp/kept.jsonl" 2>"$tmp/err" \
  && fail "a new state took over a non-empty output"
grep -q "kept.jsonl: 24 bytes, but the state records none written" "$tmp/err" \
  || fail "$(cat "$tmp/err")"
[ "$(cat "$tmp/kept.jsonl")" = "alerts of another state" ] || fail "output changed"

# The state that wrote a file goes on with it; a damaged copy of that state
# is refused and the file left whole: after the first run its log (cut in
# half, overwritten, one byte changed), after the second (which moved the
# log into a table) the table, one byte changed, which before made the
# state forget some alerts and write them again.
alerts --state "$tmp/good.db" --out "$tmp/out.jsonl" 2>"$tmp/err" \
  || fail "first run: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out.jsonl")" -gt 0 ] || fail "no alerts"
cp -r "$tmp/good.db" "$tmp/first.db"
alerts --state "$tmp/good.db" --out "$tmp/out.jsonl" 2>"$tmp/err" \
  || fail "second run: $(cat "$tmp/err")"
grep -q " 0 alerts written" "$tmp/err" || fail "rerun alerted: $(cat "$tmp/err")"
flip() { printf '\xff' | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
for damage in cut garbage flip table; do
  if [ "$damage" = table ]; then
    cp -r "$tmp/good.db" "$tmp/$damage.db"
    file=$(ls "$tmp/$damage.db"/*.ldb | head -1)
  else
    cp -r "$tmp/first.db" "$tmp/$damage.db"
    file=$(ls "$tmp/$damage.db"/*.log)
  fi
  [ -s "$file" ] || fail "$damage: nothing to damage in $(ls "$tmp/$damage.db")"
  size=$(stat -c %s "$file")
  cp "$tmp/out.jsonl" "$tmp/$damage.jsonl"
  case "$damage" in
    cut) truncate -s $((size / 2)) "$file" ;;
    garbage) head -c "$size" /dev/urandom >"$file" ;;
    flip | table) flip "$file" $((size / 4)) ;;
  esac
  alerts --state "$tmp/$damage.db" --out "$tmp/$damage.jsonl" 2>"$tmp/err" \
    && fail "damaged state ($damage) accepted: $(cat "$tmp/err")"
  grep -Eq "state records none written|Corruption" "$tmp/err" \
    || fail "$damage: $(cat "$tmp/err")"
  cmp -s "$tmp/out.jsonl" "$tmp/$damage.jsonl" || fail "$damage: output changed"
done

# A notice whose tender would be a record over --max-record-bytes is
# rejected when imported, naming it; before, it was written, and no reader
# took the file back. The other notices are written. Importer and reader
# measure a record alike (a JSON line without its newline), so the limit
# holds to the byte: the smaller tender, of exactly the limit, is written and
# read back; one byte over the limit, both refuse it.
xml=$(ls "$data"/ted/xml/*.xml | head -2)
"$bin" import --ted-xml $xml --tenders-out "$tmp/all.jsonl" 2>"$tmp/err" \
  || fail "import: $(cat "$tmp/err")"
line_bytes() { LC_ALL=C awk '{ print length($0) }' "$1" | sort -n; }
small=$(line_bytes "$tmp/all.jsonl" | head -1)
[ "$(line_bytes "$tmp/all.jsonl" | tail -1)" -gt "$small" ] || fail "two tenders of one size"
"$bin" import --ted-xml $xml --tenders-out "$tmp/some.jsonl" \
  --max-record-bytes="$small" 2>"$tmp/err" && fail "oversized notice imported"
grep -q "tender \"TED-.*: [0-9]* bytes, more than the record limit of $small (max_record_bytes)" \
  "$tmp/err" || fail "$(cat "$tmp/err")"
grep -q "1 imported (.*), 1 rejected" "$tmp/err" || fail "$(cat "$tmp/err")"
[ "$(line_bytes "$tmp/some.jsonl")" = "$small" ] || fail "not the tender of $small bytes"
"$bin" validate --kind=tender --max-record-bytes="$small" "$tmp/some.jsonl" \
  2>"$tmp/err" || fail "written tender not readable: $(cat "$tmp/err")"
under=$((small - 1))
"$bin" import --ted-xml $xml --tenders-out "$tmp/none.jsonl" \
  --max-record-bytes="$under" 2>"$tmp/err" && fail "notice over the limit imported"
grep -q "tender \"TED-.*: $small bytes, more than the record limit of $under " "$tmp/err" \
  || fail "$(cat "$tmp/err")"
grep -q "0 imported (.*), 2 rejected" "$tmp/err" || fail "$(cat "$tmp/err")"
"$bin" validate --kind=tender --max-record-bytes="$under" "$tmp/some.jsonl" \
  2>"$tmp/err" && fail "a tender over the limit read"
grep -q "some.jsonl: record 1: $small bytes, more than the record limit of $under " \
  "$tmp/err" || fail "$(cat "$tmp/err")"
# Empty inputs (doc/reliability.md, "Empty inputs"): a file of no records
# is named, not passed over in silence as a run whose records matched
# nothing; a command left with no record to work on writes nothing and exits
# 3 (not 0: nothing was done; not 1: nothing was wrong).
E="$tmp/empty.jsonl"
printf '\n  \n' >"$E"
nothing_done() {  # The record kind named, then the command.
  local kind="$1"
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  [ "$status" -eq 3 ] || fail "$*: exit $status, not 3: $(cat "$tmp/err")"
  grep -q "empty.jsonl: holds no $kind" "$tmp/err" || fail "$*: $(cat "$tmp/err")"
  grep -q "^procmatch: nothing done: " "$tmp/err" || fail "$*: $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "$*: wrote $(head -c 300 "$tmp/out")"
}
nothing_done "SupplierProfile records" "$bin" validate --kind=supplier "$E"
nothing_done "SupplierProfile records" "$bin" index --suppliers "$E" --out "$tmp/e.snap"
[ -e "$tmp/e.snap" ] && fail "a snapshot of no suppliers written"
nothing_done "SupplierProfile records" "$bin" match --suppliers "$E" --tenders "$T" --output=jsonl
nothing_done "Tender records" "$bin" match --suppliers "$S" --tenders "$E" --output=jsonl
nothing_done "Call records" "$bin" consortium --suppliers "$S" --call "$E" --output=jsonl
nothing_done "SupplierProfile records" "$bin" consortium --suppliers "$E" \
  --call "$data/sample/edf_call.jsonl" --output=jsonl
nothing_done "CapabilityArea records" "$bin" coverage --suppliers "$S" --areas "$E" \
  --output=jsonl --html "$tmp/e.html"
[ -e "$tmp/e.html" ] && fail "a coverage page of no areas written"
nothing_done "AlertRule records" "$bin" alerts --rules "$E" --notices "$T"
nothing_done "Tender records" "$bin" alerts --rules "$R" --suppliers "$S" --notices "$E" \
  --state "$tmp/e.db" --out "$tmp/e_alerts.jsonl"
[ -e "$tmp/e_alerts.jsonl" ] && fail "an alert file of no notices written"
nothing_done "notices" "$bin" alerts --rules "$R" --suppliers "$S" --ted-json "$E"
nothing_done "notices" "$bin" import --ted-json "$E" --tenders-out "$tmp/e_tenders.jsonl"
[ -e "$tmp/e_tenders.jsonl" ] && fail "an import of no notices written"
# An empty or blank text-format file holds no records, as an empty .jsonl.
printf '  \n' >"$tmp/empty.textproto"
"$bin" validate --kind=tender "$tmp/empty.textproto" >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] || fail "a blank .textproto is not empty: $(cat "$tmp/err")"
grep -q "empty.textproto: holds no Tender records" "$tmp/err" || fail "$(cat "$tmp/err")"
# Records refused under --skip-invalid leave nothing to do, but something was
# wrong: exit 1, not 3.
printf '{"id": 7}\n{"nope": 1}\n' >"$tmp/bad.jsonl"
refused() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  [ "$status" -eq 1 ] || fail "$*: exit $status, not 1: $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "$*: wrote $(head -c 300 "$tmp/out")"
}
refused "$bin" match --skip-invalid --suppliers "$S" --tenders "$tmp/bad.jsonl" --output=jsonl
refused "$bin" match --skip-invalid --suppliers "$tmp/bad.jsonl" --tenders "$T" --output=jsonl
refused "$bin" index --skip-invalid --suppliers "$tmp/bad.jsonl" --out "$tmp/bad.snap"
[ -e "$tmp/bad.snap" ] && fail "a snapshot of refused suppliers written"
refused "$bin" consortium --skip-invalid --suppliers "$S" --call "$tmp/bad.jsonl" --output=jsonl
refused "$bin" coverage --skip-invalid --suppliers "$S" --areas "$tmp/bad.jsonl" --output=jsonl
refused "$bin" alerts --skip-invalid --rules "$tmp/bad.jsonl" --notices "$T"
refused "$bin" alerts --skip-invalid --rules "$R" --suppliers "$S" --notices "$tmp/bad.jsonl"
# No rules to run does not hide a notices file that cannot be read.
refused "$bin" alerts --rules "$E" --notices "$tmp/missing.jsonl"
grep -q "missing.jsonl" "$tmp/err" || fail "missing notices not named: $(cat "$tmp/err")"
# An empty file beside one with records is named, and the work is done.
"$bin" match --suppliers "$S" --tenders "$T" "$E" --output=jsonl >"$tmp/out" \
  2>"$tmp/err" || fail "match with an empty file among others: $(cat "$tmp/err")"
grep -q "empty.jsonl: holds no Tender records" "$tmp/err" || fail "$(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 7 ] || fail "tenders beside the empty file not matched"

# Session 11 review debts.
# `index --allow-empty` writes an index of no suppliers (a service that
# starts empty and is filled by updates); matching it is "nothing done".
"$bin" index --allow-empty --suppliers "$E" --out "$tmp/empty.snap" 2>"$tmp/err" \
  || fail "index --allow-empty: $(cat "$tmp/err")"
grep -q "indexed 0 suppliers" "$tmp/err" || fail "$(cat "$tmp/err")"
"$bin" match --index "$tmp/empty.snap" --tenders "$T" --output=jsonl >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || fail "match on an empty index: $(cat "$tmp/err")"
# ... but never over refused records.
refused "$bin" index --allow-empty --skip-invalid --suppliers "$tmp/bad.jsonl" \
  --out "$tmp/refused.snap"
[ -e "$tmp/refused.snap" ] && fail "an index of refused suppliers written"
# A comment-only .textproto holds no record, as a blank one.
printf '# no tender this week\n  # none\n' >"$tmp/comment.textproto"
"$bin" validate --kind=tender "$tmp/comment.textproto" >/dev/null 2>"$tmp/err"
[ $? -eq 3 ] || fail "a comment-only .textproto is not empty: $(cat "$tmp/err")"
# A lone surrogate escape is refused naming its field.
printf '{"id": "T-1", "title": "ab\\ud800"}\n' >"$tmp/surrogate.jsonl"
"$bin" validate --kind=tender "$tmp/surrogate.jsonl" >/dev/null 2>"$tmp/err" \
  && fail "a lone surrogate accepted"
grep -q 'record 1: not a Tender: field "title": not valid UTF-8 (a lone surrogate escape \\ud800 at byte 2 of the string)' \
  "$tmp/err" || fail "$(cat "$tmp/err")"
# --skip-invalid skips bad records, not inputs: a notice file that cannot be
# read (a directory, as records and as XML) is counted and fails the run,
# though the readable notices are alerted.
mkdir -p "$tmp/dir.jsonl" "$tmp/dir.xml"
for unreadable in "$tmp/dir.jsonl" "$tmp/dir.xml"; do
  "$bin" alerts --skip-invalid --rules "$R" --suppliers "$S" --notices "$T" \
    "$unreadable" --output=jsonl >"$tmp/out" 2>"$tmp/err"
  [ $? -eq 1 ] || fail "$unreadable excused: $(cat "$tmp/err")"
  grep -q "$unreadable: is a directory" "$tmp/err" || fail "$(cat "$tmp/err")"
  grep -q "0 failed to import, 1 notice file unreadable" "$tmp/err" \
    || fail "$(cat "$tmp/err")"
  [ -s "$tmp/out" ] || fail "the readable notices were not alerted"
done
# alerts and serve share --max-alert-patterns (Options::max_alert_patterns):
# the sample's one rule with a pattern is over a bound of 0.
for cmd in "alerts --notices $T" "serve --index $tmp/empty.snap --listen 127.0.0.1:0"; do
  timeout 20 "$bin" $cmd --max-alert-patterns=0 --rules "$R" >/dev/null 2>"$tmp/err"
  [ $? -eq 1 ] || fail "$cmd: bound 0 not applied: $(cat "$tmp/err")"
  grep -q 'alert rule "tolvin-wallonia": .* at most 0 (max_alert_patterns)' "$tmp/err" \
    || fail "$cmd: $(cat "$tmp/err")"
  timeout 20 "$bin" $cmd --max-alert-patterns=x --rules "$R" >/dev/null 2>"$tmp/err"
  [ $? -eq 1 ] || fail "$cmd: a bad bound accepted: $(cat "$tmp/err")"
  grep -q -- '--max-alert-patterns must be a number >= 0, not "x"' "$tmp/err" \
    || fail "$cmd: $(cat "$tmp/err")"
done

# serve's small inputs (session 11 sweep): an empty --tls-cert and --tls-key
# served plaintext; an empty or comment-only --policy admitted nobody and
# was served; a policy that does not parse printed a protobuf log line;
# /dev/zero as a certificate was read to 1 GiB.
serve() { timeout 20 "$bin" serve --index "$tmp/empty.snap" --listen 127.0.0.1:0 "$@"; }
: >"$tmp/empty.pem"
serve --tls-cert "$tmp/empty.pem" --tls-key "$tmp/empty.pem" 2>"$tmp/err"
[ $? -eq 1 ] || fail "empty TLS files served: $(cat "$tmp/err")"
grep -q -- "--tls-cert $tmp/empty.pem: is empty" "$tmp/err" || fail "$(cat "$tmp/err")"
printf '# to do\n' >"$tmp/policy.textproto"
serve --policy "$tmp/policy.textproto" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a policy of nobody served: $(cat "$tmp/err")"
grep -q "policy: no callers" "$tmp/err" || fail "$(cat "$tmp/err")"
printf 'callers {\0' >"$tmp/policy.textproto"
serve --policy "$tmp/policy.textproto" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a broken policy served: $(cat "$tmp/err")"
grep -q "libprotobuf" "$tmp/err" && fail "protobuf logged: $(cat "$tmp/err")"
grep -q "policy: record 1: not a ServicePolicy: line 1 column" "$tmp/err" || fail "$(cat "$tmp/err")"
serve --tls-cert /dev/zero --tls-key /dev/zero 2>"$tmp/err"
[ $? -eq 1 ] || fail "/dev/zero as a certificate: $(cat "$tmp/err")"
grep -q "/dev/zero: more than 1048576 bytes" "$tmp/err" || fail "$(cat "$tmp/err")"
# An unreadable rules or calls file is not called an invalid record.
"$bin" alerts --rules "$tmp/dir.jsonl" --notices "$T" 2>"$tmp/err" && fail "alerts ran"
grep -q "procmatch: 1 input file could not be read" "$tmp/err" || fail "$(cat "$tmp/err")"
"$bin" consortium --suppliers "$S" --call "$tmp/dir.jsonl" 2>"$tmp/err" && fail "consortium ran"
grep -q "procmatch: 1 input file could not be read" "$tmp/err" || fail "$(cat "$tmp/err")"
echo PASS
