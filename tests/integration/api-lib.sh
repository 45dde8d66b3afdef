# Helpers for tests of the HTTP API: start `streamtop serve` (or read the
# address an ingester logged) on a free loopback port, and call it with curl.
# Source after lib.sh.

need curl sqlite3 jq

SERVE_PID=
at_exit '[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null'

# api_address LOG: the address from a `serving` log line.
api_address() {
    sed -n 's/.*event=serving address=\([^ ]*\).*/\1/p' "$1" | tail -n 1
}

# serve_start DB [ARGS...]: starts serve on a free port; sets API.
serve_start() {
    _db=$1; shift
    : >"$TMP/serve.log"
    "$STREAMTOP" serve --db "$_db" --listen 127.0.0.1:0 "$@" 2>"$TMP/serve.log" &
    SERVE_PID=$!
    if ! wait_for 10 grep -q 'event=serving' "$TMP/serve.log"; then
        not_ok "serve starts" "$(cat "$TMP/serve.log")"
        done_testing
        exit 1
    fi
    API="http://$(api_address "$TMP/serve.log")"
}

serve_stop() {
    [ -n "$SERVE_PID" ] || return 0
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" && SERVE_RC=0 || SERVE_RC=$?
    SERVE_PID=
}

# call KEY METHOD PATH [CURL ARGS...]: sets CODE, BODY and HEADERS.
call() {
    _key=$1 _method=$2 _path=$3; shift 3
    set -- -s -X "$_method" -D "$TMP/.headers" -o "$TMP/.body" -w '%{http_code}' "$@"
    [ -n "$_key" ] && set -- "$@" -H "Authorization: Bearer $_key"
    CODE=$(curl "$@" "$API$_path") || CODE=000
    BODY=$(cat "$TMP/.body")
    HEADERS=$(tr -d '\r' <"$TMP/.headers")
}

# expect_call DESCRIPTION STATUS KEY METHOD PATH [CURL ARGS...]
expect_call() {
    _d=$1 _want=$2; shift 2
    call "$@"
    if [ "$CODE" = "$_want" ]; then ok "$_d"; else not_ok "$_d" "HTTP $CODE, wanted $_want" "$BODY"; fi
}

# json_error: the body is {"error": "..."} and nothing else.
json_error() {
    printf '%s' "$BODY" | jq -e 'keys == ["error"] and (.error | type == "string")'
}
