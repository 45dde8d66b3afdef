#!/bin/sh
# Production networks: --ca-file verifies the server against a private CA
# (a TLS-inspecting proxy's), here one the test makes, with the simulator
# behind a local TLS front; without it the same server is refused as
# unverified.  The proxy variables are honoured as libcurl honours them.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need openssl socat

pki="$TMP/pki"
mkdir "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=streamtop test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$pki/san.ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$pki/san.ext" -out "$pki/server.pem" 2>/dev/null
check "the test's CA signed the server's certificate" \
    openssl verify -CAfile "$pki/ca.pem" "$pki/server.pem"

sim_start --rate 500 --count 1500
sim_port=${SIM_URL#http://127.0.0.1:}
sim_port=${sim_port%%/*}
# A TLS front for the plain-HTTP simulator, on the first free port found.
TLS_PID=
at_exit '[ -n "$TLS_PID" ] && kill "$TLS_PID" 2>/dev/null'
for port in $(awk -v s=$$ 'BEGIN { srand(s); for (i = 0; i < 20; i++) print 20000 + int(rand() * 20000) }'); do
    socat "OPENSSL-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork,cert=$pki/server.pem,key=$pki/server.key,verify=0" \
        "TCP:127.0.0.1:$sim_port" 2>>"$TMP/socat.log" &
    TLS_PID=$!
    if wait_for 3 sh -c "echo | openssl s_client -connect 127.0.0.1:$port -CAfile '$pki/ca.pem' 2>/dev/null | grep -q 'Verify return code: 0'"; then
        break
    fi
    kill "$TLS_PID" 2>/dev/null
    TLS_PID=
done
check "a TLS front is listening" test -n "$TLS_PID"
url="https://localhost:$port/companies"

expect_run "an unreadable --ca-file is bad configuration" 2 \
    "$STREAMTOP" ingest --db "$TMP/x.db" --url "$url" --ca-file "$pki/missing.pem"
contains "naming it" "$ERR" "--ca-file $pki/missing.pem"

# A --ca-file that is no CA bundle is refused at startup (exit 2, so systemd
# does not restart it), not retried for ever as "error setting certificate
# file" on every connection.
printf 'hello\n' > "$pki/hello.pem"
: > "$pki/empty.pem"
{ printf -- '-----BEGIN CERTIFICATE-----\n'; printf 'not base64 at all!\n'; printf -- '-----END CERTIFICATE-----\n'; } \
    > "$pki/garbled.pem"
bad_ca() {
    what=$1; file=$2; why=$3; shift 3
    expect_run "--ca-file $what: exit 2 at startup" 2 timeout 10 "$@" --ca-file "$file"
    one_line "--ca-file $what: one line" "$ERR"
    contains "--ca-file $what: names the file and why" "$ERR" "--ca-file $file: $why"
}
for cmd in ingest dashboard; do
    sub=; [ $cmd = ingest ] && sub=ingest
    # shellcheck disable=SC2086
    bad_ca "text ($cmd)" "$pki/hello.pem" "holds no PEM certificate" "$STREAMTOP" $sub --db "$TMP/x.db" --url "$url"
done
bad_ca "empty" "$pki/empty.pem" "holds no PEM certificate" "$STREAMTOP" ingest --db "$TMP/x.db" --url "$url"
bad_ca "a directory" "$pki" "is a directory" "$STREAMTOP" ingest --db "$TMP/x.db" --url "$url"
bad_ca "a garbled certificate" "$pki/garbled.pem" "not a PEM CA bundle" \
    "$STREAMTOP" ingest --db "$TMP/x.db" --url "$url"
bad_ca "a key, no certificate" "$pki/ca.key" "holds no PEM certificate" \
    "$STREAMTOP" ingest --db "$TMP/x.db" --url "$url"
printf 'ca-file = %s\n' "$pki/hello.pem" > "$pki/config"
expect_run "a config file's ca-file is checked too" 2 timeout 10 \
    "$STREAMTOP" ingest --config "$pki/config" --db "$TMP/x.db" --url "$url"
contains "and named" "$ERR" "--ca-file $pki/hello.pem: holds no PEM certificate"
"$STREAMTOP" migrate --db "$TMP/x.db" >/dev/null
expect_run "a command that takes no --ca-file ignores the setting" 0 \
    "$STREAMTOP" migrate --config "$pki/config" --db "$TMP/x.db"

# Without the CA the server cannot be verified: refused, and said so.
db="$TMP/untrusted.db"
"$STREAMTOP" ingest --db "$db" --url "$url" 2>>"$TMP/ingest.log" &
INGEST_PID=$!
refused() { grep -q 'event=disconnected .*certificate' "$TMP/ingest.log"; }
check "without --ca-file the private CA's server is refused" wait_for 15 refused
ingest_stop
equals "and nothing is stored from it" "$(sql "$db" "SELECT count(*) FROM stream_events_log")" 0
contains "status shows why" "$("$STREAMTOP" status --db "$db")" "certificate"

db="$TMP/trusted.db"
"$STREAMTOP" ingest --db "$db" --url "$url" --ca-file "$pki/ca.pem" 2>>"$TMP/ingest.log" &
INGEST_PID=$!
wait_settled "with --ca-file the stream is stored" "$db"
ingest_stop
check_exactly_once "over TLS" "$db"

# libcurl's proxy variables: a proxy that is not there stops the
# connection, and NO_PROXY exempts the host again.
db="$TMP/proxy.db"
HTTPS_PROXY=http://127.0.0.1:9 "$STREAMTOP" ingest --db "$db" --url "$url" --ca-file "$pki/ca.pem" \
    2>>"$TMP/proxy.log" &
INGEST_PID=$!
via_proxy() { grep -q 'event=disconnected .*127.0.0.1 port 9' "$TMP/proxy.log"; }
check "HTTPS_PROXY is used" wait_for 15 via_proxy
ingest_stop
: > "$TMP/proxy.log"
HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=localhost "$STREAMTOP" ingest --db "$db" --url "$url" \
    --ca-file "$pki/ca.pem" 2>>"$TMP/proxy.log" &
INGEST_PID=$!
direct() { grep -q 'event=connected' "$TMP/proxy.log"; }
check "and NO_PROXY exempts the host" wait_for 15 direct
ingest_stop

done_testing
