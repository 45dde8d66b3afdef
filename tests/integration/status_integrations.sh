#!/bin/sh
# `status` shows the HTTP API's last hour (last request, requests, 4xx and
# 5xx) and the webhooks' delivery health (active, failing, deactivated,
# pending), on a line each, and the same in --json; a database without
# the integration tables shows neither.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/api-lib.sh"

db="$TMP/s.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
run "$STREAMTOP" status --db "$db"
contains "no API use yet" "$OUT" "api         no requests in the last hour"
contains "no hooks yet" "$OUT" "webhooks    none"

"$STREAMTOP" keys create monitor --permissions read --db "$db" 2>/dev/null >"$TMP/key"
key=$(cat "$TMP/key")
serve_start "$db"
expect_call "a good request" 200 "$key" GET /v1/status
expect_call "one without a key" 401 "" GET /v1/status
expect_call "one for no such path" 404 "$key" GET /nothing
serve_stop
# A 5xx is hard to provoke on purpose; the log row is what counts.
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us, client)
           VALUES ('$now', NULL, 'GET', '/metrics', 503, 10, '127.0.0.1')"

"$STREAMTOP" webhooks add http://127.0.0.1:1/a --events all --db "$db" >"$TMP/a" 2>/dev/null
"$STREAMTOP" webhooks add http://127.0.0.1:1/b --events all --db "$db" >"$TMP/b" 2>/dev/null
"$STREAMTOP" webhooks add http://127.0.0.1:1/c --events all --db "$db" >"$TMP/c" 2>/dev/null
a=$(head -n 1 "$TMP/a") b=$(head -n 1 "$TMP/b") c=$(head -n 1 "$TMP/c")
sql "$db" "UPDATE webhooks SET failure_count = 3 WHERE id = '$b';
           UPDATE webhooks SET is_active = 0 WHERE id = '$c';
           INSERT INTO webhook_outbox (webhook_id, msg_id, event, payload, created_at, next_attempt_at)
           VALUES ('$b', 'msg_1', 'failures', '{}', '$now', '$now'),
                  ('$b', 'msg_2', 'failures', '{}', '$now', '$now')"

run "$STREAMTOP" status --db "$db"
line=$(printf '%s\n' "$OUT" | grep '^api ')
contains "the API line has the last request" "$line" "last request "
contains "the hour's requests, 4xx and 5xx" "$line" "4 requests in the last hour, 2 4xx, 1 5xx"
contains "the webhooks line" "$OUT" "webhooks    2 active, 1 failing, 1 deactivated; 2 pending"

run "$STREAMTOP" status --db "$db" --json
equals "--json carries the API's hour" \
    "$(jq -c '.integrations.api | [.requests_last_hour, .client_errors, .server_errors, (.last_request_at | type)]' "$TMP/.out")" \
    '[4,2,1,"string"]'
equals "and the webhooks' health" \
    "$(jq -c '.integrations.webhooks | [.active, .failing, .deactivated, .pending]' "$TMP/.out")" '[2,1,1,2]'

# A database from before the integrations (the seed's tables, migration 13).
sql "$TMP/old.db" "CREATE TABLE t (x)"
run "$STREAMTOP" status --db "$TMP/old.db"
lacks "an unrelated database has no API line" "$OUT" "api  "
lacks "nor a webhooks line" "$OUT" "webhooks  "
run "$STREAMTOP" status --db "$TMP/old.db" --json
equals "and null in JSON" "$(jq -c .integrations "$TMP/.out")" null
done_testing
