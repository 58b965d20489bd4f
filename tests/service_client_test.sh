#!/usr/bin/env bash
# The Python client (examples/procmatch_client.py) against a live
# `procmatch serve` on 127.0.0.1, as an integrator would run it: TLS with a
# CA made here by openssl, a bearer token from a policy file, the health
# check, matches equal to `procmatch match`, a refused call without token,
# SIGHUP reload and SIGTERM shutdown.
# Args: procmatch binary, client script, stub directory marker
# (procmatch/v1/service_pb2.py), sample suppliers, sample tenders.
set -uo pipefail
absolute() { [[ "$1" == /* ]] && echo "$1" || echo "$PWD/$1"; }
procmatch=$(absolute "$1") client=$(absolute "$2") stub_marker=$(absolute "$3")
suppliers=$(absolute "$4") tenders=$(absolute "$5")
stubs=${stub_marker%/procmatch/v1/service_pb2.py}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cd "$tmp" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
  -subj /CN=test-ca 2>/dev/null || exit 1
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
  -subj /CN=localhost 2>/dev/null || exit 1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -out server.pem -days 1 -extfile san.ext 2>/dev/null || exit 1
cat >policy.textproto <<'POLICY'
callers {
  name: "crm"
  bearer_tokens: "crm-token"
  methods: "Match" methods: "Reload"
  clearance_suppliers: "*"
}
POLICY

"$procmatch" index --suppliers "$suppliers" --out suppliers.snapshot ||
  exit 1
"$procmatch" match --index suppliers.snapshot --tenders "$tenders" --top=3 \
  --output=jsonl >cli.jsonl || exit 1

"$procmatch" serve --index suppliers.snapshot --listen 127.0.0.1:0 \
  --tls-cert server.pem --tls-key server.key --policy policy.textproto \
  2>serve.log &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.* on port \([0-9]*\)$/\1/p' serve.log)
  [[ -n "$port" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { cat serve.log >&2; kill "$server"; exit 1; }

py() { /usr/bin/python3 "$client" --stubs "$stubs" --target "127.0.0.1:$port" \
  --ca ca.pem "$@"; }

[[ "$(py health)" == "SERVING" ]] || fail "health is not SERVING"

py --token crm-token match --tenders "$tenders" --top 3 >client.tsv ||
  fail "match with the token failed"
# The same ranking as the command line, tender by tender.
/usr/bin/python3 - cli.jsonl client.tsv <<'PY' || fail "rankings differ"
import json, sys
cli = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    for m in r.get("matches", []):
        cli.append((r["tender_id"], m["supplier_id"]))
client = [tuple(l.split("\t")[0:3:2]) for l in open(sys.argv[2])]
print("matches: %d from the client, %d from the CLI" % (len(client), len(cli)))
sys.exit(0 if client == cli and cli else 1)
PY

py match --tenders "$tenders" 2>err.txt && fail "match without token succeeded"
grep -q "UNAUTHENTICATED" err.txt || fail "no UNAUTHENTICATED: $(cat err.txt)"
/usr/bin/python3 "$client" --stubs "$stubs" --target "127.0.0.1:$port" \
  --token crm-token --timeout 5 match --tenders "$tenders" 2>err.txt &&
  fail "a plaintext client got an answer from the TLS server"
grep -q "UNAVAILABLE" err.txt || fail "plaintext: $(cat err.txt)"

kill -HUP "$server"
for _ in $(seq 50); do grep -q "SIGHUP: reloaded" serve.log && break; sleep 0.1; done
grep -q "SIGHUP: reloaded" serve.log || fail "SIGHUP did not reload"
py --token crm-token reload | grep -q "suppliers" || fail "Reload RPC"
grep -q "method=Match caller=crm .* status=OK" serve.log ||
  fail "no request log line"

kill -TERM "$server"
wait "$server" || fail "serve did not exit 0 on SIGTERM"
if [[ $failures -ne 0 ]]; then cat serve.log >&2; exit 1; fi
echo "service_client_test: passed"
