#!/bin/sh
# `streamtop serve`: every route with curl, every error status, keys and
# their permissions, the rate limit, revoked and placeholder keys, hostile
# paths and bodies, the access log, and refusing to listen beyond loopback
# without a key.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/integration/api-lib.sh"

db="$TMP/api.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
sim_start --rate 5000 --count 60 --faults garbage:20
ingest_start "$db"
wait_settled "a run with failures settles" "$db"
ingest_stop

key() { "$STREAMTOP" keys create "$@" --db "$db" 2>/dev/null; }
READ=$(key reader --permissions read)
WRITE=$(key writer --permissions read,write)
LIMITED=$(key limited --permissions read --rate-limit 3)
REVOKED=$(key gone --permissions read,write)
"$STREAMTOP" keys revoke "$(printf '%s' "$REVOKED" | cut -c1-12)" --db "$db" >/dev/null
# A database made by the seed's own tooling carries its placeholder admin
# key; streamtop's triggers refuse it, so it is put there as that tooling did.
sql "$db" "DROP TRIGGER api_keys_refuse_placeholder_insert;
           INSERT INTO api_keys (id, name, key_hash, permissions)
           VALUES ('admin-key-001', 'Admin API Key', 'admin_key_hash_placeholder', '[\"read\",\"write\",\"admin\"]')"

"$STREAMTOP" migrate --db "$TMP/nokeys.db" >/dev/null
expect_run "serve refuses a non-loopback address without a usable key" 2 \
    "$STREAMTOP" serve --db "$TMP/nokeys.db" --listen 0.0.0.0:0
sql "$TMP/nokeys.db" "DROP TRIGGER api_keys_refuse_placeholder_insert;
    INSERT INTO api_keys (id, name, key_hash) VALUES ('admin-key-001', 'Admin', 'admin_key_hash_placeholder')"
expect_run "the placeholder key does not count as one" 2 \
    "$STREAMTOP" serve --db "$TMP/nokeys.db" --listen 0.0.0.0:0
contains "saying why" "$ERR" "no active API key"
expect_run "a bad --listen is a usage error" 2 "$STREAMTOP" serve --db "$db" --listen localhost
expect_run "a missing database is an error" 1 "$STREAMTOP" serve --db "$TMP/none.db" --listen 127.0.0.1:0
check "and is not created" test ! -e "$TMP/none.db"

# A sample of the kind the ingester writes every 5 seconds.
sql "$db" "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at)
           VALUES ('m1', 'events_received', 60, '{\"interval_ms\":5000}', strftime('%Y-%m-%dT%H:%M:%fZ'))"
serve_start "$db"

# ---- authentication ----
expect_call "no key: 401" 401 "" GET /metrics
check "as a JSON error" json_error
contains "with a Bearer challenge" "$HEADERS" "WWW-Authenticate: Bearer"
expect_call "an unknown key: 401" 401 "stk_00000000_$(printf '%064d' 0)" GET /metrics
expect_call "a revoked key: 401" 401 "$REVOKED" GET /metrics
contains "saying it is revoked" "$BODY" "revoked"
expect_call "the seed's placeholder admin key never authenticates" 401 admin_key_hash_placeholder GET /metrics
expect_call "nor does its hash's digest twin" 401 "$(printf admin_key_hash_placeholder | sha256sum | cut -c1-64)" GET /metrics
expect_call "Basic instead of Bearer: 401" 401 "" GET /metrics -H "Authorization: Basic $(printf '%s:' "$READ" | base64 -w0)"

# ---- the routes ----
expect_call "GET /metrics: 200" 200 "$READ" GET /metrics
contains "in Prometheus' text format" "$HEADERS" "Content-Type: text/plain; version=0.0.4"
contains "with HELP" "$BODY" "# HELP streamtop_events_received_total"
contains "and TYPE" "$BODY" "# TYPE streamtop_events_received_total counter"
contains "the connection state as a labelled gauge" "$BODY" 'streamtop_connection_state{state="disconnected"} 1'
contains "failures outstanding" "$BODY" "streamtop_failures_outstanding 3"
contains "the system_metrics names" "$BODY" 'streamtop_system_metric{name="events_received"'
contains "webhook delivery health" "$BODY" "streamtop_webhook_deliveries_pending 0"
contains "and the API's last hour" "$BODY" "# TYPE streamtop_api_requests_last_hour gauge"
lacks "no counter without _total" "$(printf '%s\n' "$BODY" | awk '/^# TYPE .* counter$/ && $3 !~ /_total$/')" "TYPE"

expect_call "GET /healthz while failures are outstanding: 503" 503 "$READ" GET /healthz
contains "saying why" "$BODY" "failed"
run "$STREAMTOP" status --db "$db" --json
expect_call "GET /v1/status: 200" 200 "$READ" GET /v1/status
# Rates and ages move with the clock between the two, and the API's own
# counts with the requests logged meanwhile (the server's reading may be a
# second old); the rest must agree.
stable='del(.taken_at, .connection.lag_seconds, .throughput, .queue, .metrics, .integrations.api) | tostring'
equals "the same JSON as status --json" "$(printf '%s' "$BODY" | jq "$stable")" "$(printf '%s' "$OUT" | jq "$stable")"
equals "with the same members" "$(printf '%s' "$BODY" | jq -c '[paths(type != "array")] | map(map(tostring) | join(".")) | unique')" \
    "$(printf '%s' "$OUT" | jq -c '[paths(type != "array")] | map(map(tostring) | join(".")) | unique')"

expect_call "GET /v1/failures: 200" 200 "$READ" GET "/v1/failures?limit=2"
equals "a page of two, newest first" "$(printf '%s' "$BODY" | jq '[.failures[].id] | length, (.[0] > .[1])' | tr '\n' ' ')" "2 true "
equals "of three" "$(printf '%s' "$BODY" | jq .count)" 3
next=$(printf '%s' "$BODY" | jq .next_before)
expect_call "the next page by its cursor" 200 "$READ" GET "/v1/failures?limit=2&before=$next"
equals "holds the last one, and no cursor" "$(printf '%s' "$BODY" | jq -c '[(.failures | length), .next_before, (.failures[0].id < '"$next"')]')" '[1,null,true]'
expect_call "a filter narrows the list" 200 "$READ" GET "/v1/failures?filter=no%20such%20error"
equals "to nothing here" "$(printf '%s' "$BODY" | jq -c '[.count, .matching, (.failures|length)]')" '[3,0,0]'

failed=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE processing_status = 'failed' ORDER BY id LIMIT 1")
stored=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE processing_status = 'processed' ORDER BY id LIMIT 1")
expect_call "GET /v1/events/{id}: 200" 200 "$READ" GET "/v1/events/$stored"
equals "the event, parsed" "$(printf '%s' "$BODY" | jq -r '.event.resource_kind + " " + .event_id')" "company-profile $stored"
check "and its raw line" sh -c "printf '%s' '$(printf '%s' "$BODY" | jq -r .raw | head -c 20)' | grep -q resource_kind"
expect_call "a failed one, with its error and queue row" 200 "$READ" GET "/v1/events/$failed"
equals "status, error, attempts" "$(printf '%s' "$BODY" | jq -c '[.status, (.error|length > 0), .queue.attempts >= 1]')" '["failed",true,true]'
expect_call "an unknown event: 404" 404 "$READ" GET /v1/events/company-profile:999999999
check "as a JSON error" json_error

# ---- retries ----
expect_call "a read key may not retry: 403" 403 "$READ" POST /v1/retry -d '{"all_failed": true}'
check "as a JSON error" json_error
expect_call "a dry run: 200" 200 "$WRITE" POST /v1/retry -d '{"all_failed": true, "dry_run": true}'
equals "answers as retry --dry-run" "$(printf '%s' "$BODY" | jq -r .message)" \
    "would retry 3 failed events (dry run: nothing changed)"
equals "and changes nothing" "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'")" 3
expect_call "an unknown event id: 404" 404 "$WRITE" POST /v1/retry -d "{\"event_ids\": [\"$failed\", \"company-profile:1\"]}"
equals "naming it" "$(printf '%s' "$BODY" | jq -c .unknown)" '["company-profile:1"]'
equals "and nothing was retried" "$(sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = '$failed'")" failed
expect_call "a retry by id: 200" 200 "$WRITE" POST /v1/retry -d "{\"event_ids\": [\"$failed\", \"$stored\"]}"
equals "says what it did" "$(printf '%s' "$BODY" | jq -c '[.retried, .not_failed[0]]')" "[1,\"$stored (processed)\"]"
equals "the event is pending again" "$(sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = '$failed'")" pending
expect_call "all failed matching a text: 200" 200 "$WRITE" POST /v1/retry -d '{"all_failed": true, "error_like": "not valid JSON", "dry_run": true}'
equals "counts only those" "$(printf '%s' "$BODY" | jq .retried)" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND error_message LIKE '%not valid JSON%'")"

# ---- bad requests ----
expect_call "a body that is not JSON: 400" 400 "$WRITE" POST /v1/retry -d '{"all_failed": tru'
expect_call "both selections: 400" 400 "$WRITE" POST /v1/retry -d "{\"all_failed\": true, \"event_ids\": [\"$failed\"]}"
expect_call "neither selection: 400" 400 "$WRITE" POST /v1/retry -d '{}'
contains "asking for one" "$BODY" 'give event_ids or all_failed: true"'
expect_call "an empty error_like: 400" 400 "$WRITE" POST /v1/retry -d '{"all_failed": true, "error_like": ""}'
contains "saying it would match everything" "$BODY" "non-empty"
expect_call "an unknown member: 400" 400 "$WRITE" POST /v1/retry -d '{"all_failed": true, "drop_table": 1}'
expect_call "ids of the wrong type: 400" 400 "$WRITE" POST /v1/retry -d '{"event_ids": [1, 2]}'
head -c 1100000 /dev/zero | tr '\0' ' ' >"$TMP/big"
expect_call "a body over 1 MiB: 413" 413 "$WRITE" POST /v1/retry --data-binary "@$TMP/big"
expect_call "a chunked body over 1 MiB: 413" 413 "$WRITE" POST /v1/retry -H 'Transfer-Encoding: chunked' --data-binary "@$TMP/big"
expect_call "GET on /v1/retry: 405" 405 "$WRITE" GET /v1/retry
contains "with Allow" "$HEADERS" "Allow: POST"
expect_call "DELETE on /metrics: 405" 405 "$READ" DELETE /metrics
expect_call "an unknown path: 404" 404 "$READ" GET /v2/status
expect_call "a traversal: 404" 404 "$READ" GET /../../etc/passwd --path-as-is
expect_call "a NUL in an event id: 400" 400 "$READ" GET /v1/events/a%00b
expect_call "a slash in an event id: 400" 400 "$READ" GET /v1/events/a%2Fb
expect_call "SQL in an event id is just an unknown id" 404 "$READ" GET "/v1/events/x'%20OR%20'1'='1"
expect_call "a negative limit: 400" 400 "$READ" GET "/v1/failures?limit=-1"
expect_call "a limit too large: 400" 400 "$READ" GET "/v1/failures?limit=100000"
expect_call "a cursor that is not one: 400" 400 "$READ" GET "/v1/failures?before=1%20OR%201=1"
expect_call "SQL in a filter matches nothing" 200 "$READ" GET "/v1/failures?filter=%25'%20OR%201=1--"
equals "and changes nothing" "$(printf '%s' "$BODY" | jq .matching)" 0
expect_call "a 10 KB path: 404" 404 "$READ" GET "/$(head -c 10000 /dev/zero | tr '\0' a)"
check "the database is intact" test "$(sql "$db" "PRAGMA quick_check")" = ok

# ---- the rate limit ----
for i in 1 2 3; do call "$LIMITED" GET /healthz; done
expect_call "past a key's hourly limit: 429" 429 "$LIMITED" GET /metrics
check "as a JSON error" json_error
retry_after=$(printf '%s\n' "$HEADERS" | sed -n 's/^Retry-After: //p')
check "with Retry-After within the hour" test "$retry_after" -gt 0 -a "$retry_after" -le 3600
expect_call "other keys are not limited" 200 "$READ" GET /metrics
serve_stop
equals "SIGTERM stops serve, exit 0" "$SERVE_RC" 0
serve_start "$db"
expect_call "the limit holds across a restart" 429 "$LIMITED" GET /metrics
serve_stop

# ---- the access log and last_used_at ----
equals "every request is in the access log, with its key" \
    "$(sql "$db" "SELECT count(*) FROM api_access_log WHERE key_id = '$(printf '%s' "$LIMITED" | cut -c1-12)' AND path = '/healthz' AND status = 503")" 3
equals "refused ones too, without a key" \
    "$(sql "$db" "SELECT count(*) > 0 FROM api_access_log WHERE key_id IS NULL AND status = 401 AND client = '127.0.0.1'")" 1
check "with a duration" test "$(sql "$db" "SELECT min(duration_us) >= 0 FROM api_access_log")" = 1
check "last_used_at is kept" test -n "$(sql "$db" "SELECT last_used_at FROM api_keys WHERE id = '$(printf '%s' "$READ" | cut -c1-12)'")"
sql "$db" "INSERT INTO api_access_log (at, method, path, status, duration_us) VALUES ('2020-01-01T00:00:00.000Z', 'GET', '/old', 200, 1)"
serve_start "$db"
expect_call "a request after an old row" 200 "$READ" GET /metrics
serve_stop
equals "the server leaves old rows to the maintain pass" \
    "$(sql "$db" "SELECT count(*) FROM api_access_log WHERE path = '/old'")" 1

# ---- the same server inside the ingester ----
sim_start --rate 20 --heartbeat 0.2
: >"$TMP/ingest.log"
ingest_start "$db" --listen 127.0.0.1:0
check "ingest --listen serves" wait_for 20 grep -q 'event=serving' "$TMP/ingest.log"
check "the ingester's maintain pass removes access log rows older than 7 days" wait_for 20 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM api_access_log WHERE path = '/old'\") -eq 0 ]"
check "and logs how many" wait_for 20 grep -q 'event=maintained .*access_log=1' "$TMP/ingest.log"
API="http://$(api_address "$TMP/ingest.log")"
connected() { call "$READ" GET /v1/status && [ "$(printf '%s' "$BODY" | jq -r .connection.state)" = connected ]; }
check "its /v1/status shows the live connection" wait_for 20 connected
equals "with this ingester's pid" "$(printf '%s' "$BODY" | jq .connection.ingester.pid)" "$INGEST_PID"
expect_call "and its /metrics the connected state" 200 "$READ" GET /metrics
contains "as a gauge" "$BODY" 'streamtop_connection_state{state="connected"} 1'
# thread_nice NAME: the nice value of the ingester's thread called NAME.
thread_nice() {
    for t in /proc/"$INGEST_PID"/task/*; do
        [ "$(cat "$t/comm")" = "$1" ] && awk '{ print $19 }' "$t/stat" && return
    done
}
equals "the thread answering requests runs at a lower priority (nice 10)" "$(thread_nice api-requests)" 10
equals "than the rest of the ingester" "$(awk '{ print $19 }' "/proc/$INGEST_PID/stat")" 0
ingest_stop
equals "and it stops with the ingester, exit 0" "$INGEST_RC" 0
check "closing the port" sh -c "! curl -s -o /dev/null '$API/metrics'"
sim_stop
expect_run "ingest refuses a non-loopback --listen without a usable key" 2 \
    "$STREAMTOP" ingest --db "$TMP/nokeys.db" --url http://127.0.0.1:9/ --listen 0.0.0.0:0
expect_run "ingest: a bad --listen is a usage error" 2 "$STREAMTOP" ingest --db "$db" --listen 127.0.0.1
printf 'listen = 0.0.0.0:8080\n' >"$TMP/listen.conf"
expect_run "listen is not a config file setting: a shared file cannot open a port" 2 \
    "$STREAMTOP" status --db "$db" --config "$TMP/listen.conf"
contains "it names the key" "$ERR" "unknown key 'listen'"
expect_run "--listen with --read-only is a usage error" 2 "$STREAMTOP" --read-only --db "$db" --listen 127.0.0.1:0

done_testing
