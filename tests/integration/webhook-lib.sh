# Helpers for webhook tests: a signing secret, and the local receiver
# (webhook-receiver.py), which checks every signature and logs each
# delivery as a JSON line in $TMP/recv.log.

python3 -c 'import base64, os; print("whsec_" + base64.b64encode(os.urandom(32)).decode())' >"$TMP/secret"
chmod 600 "$TMP/secret"
RECV_PID=
at_exit '[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null'

# recv_start PORT FAIL: the receiver on PORT (0: a free one), 500 to the
# first FAIL deliveries; RECV_PORT is its port.
recv_start() {
    rm -f "$TMP/recv.port"
    python3 "$TESTS_SRCDIR/integration/webhook-receiver.py" "$1" "$TMP/recv.port" "$TMP/recv.log" \
        "$(cat "$TMP/secret")" "$2" 2>>"$TMP/recv.err" &
    RECV_PID=$!
    wait_for 10 test -s "$TMP/recv.port" || bail "the webhook receiver did not start"
    RECV_PORT=$(cat "$TMP/recv.port")
}
recv_stop() { kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null; RECV_PID=; }
# received FILTER: how many deliveries match the jq FILTER; seen FILTER [N]: at least N (1).
received() { jq -c "select($1)" "$TMP/recv.log" 2>/dev/null | wc -l; }
seen() { [ "$(received "$1")" -ge "${2:-1}" ]; }
