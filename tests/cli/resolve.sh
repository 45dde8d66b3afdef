#!/bin/sh
# `streamtop resolve`: failures that can never succeed (lines that are not
# events) are marked resolved while the ingester runs, so status turns
# healthy again; the rows and their raw bytes stay, and a retry by id
# brings one back.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/integration/api-lib.sh"

db="$TMP/resolve.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
sim_start --rate 5000 --count 300 --faults garbage:100
ingest_start "$db"
wait_settled "the run settles" "$db"
equals "the three invalid lines failed" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'")" 3

expect_run "status is unhealthy while failures are outstanding" 1 "$STREAMTOP" status --db "$db"
contains "and says why" "$OUT" "3 failed events"

raw() { sql "$db" "SELECT id, hex(event_data) FROM stream_events_log ORDER BY id" | cksum; }
state() {
    sql "$db" "SELECT group_concat(l.id || l.processing_status || coalesce(l.resolved_at, '-') ||
                   q.status, ',') FROM stream_events_log l JOIN processing_queue q ON q.event_log_id = l.id"
}
raw_before=$(raw)
state_before=$(state)
expect_run "--dry-run exits 0" 0 "$STREAMTOP" resolve --db "$db" --all-failed --dry-run
contains "and says how many" "$OUT" "would resolve 3 failed events (dry run: nothing changed)"
equals "--dry-run changes nothing" "$(state)" "$state_before"

json_id=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE error_message LIKE '%not valid JSON%'")
expect_run "--error-like narrows --all-failed" 0 \
    "$STREAMTOP" resolve --db "$db" --all-failed --error-like "not valid JSON"
contains "it says how many" "$OUT" "resolved 1 failed event"
contains "and leaves one log line" "$ERR" "event=resolve"
equals "exactly the matching failure is resolved" \
    "$(sql "$db" "SELECT group_concat(event_id) FROM stream_events_log WHERE resolved_at IS NOT NULL")" \
    "$json_id"
equals "it stays failed, its queue row closed" \
    "$(sql "$db" "SELECT l.processing_status || ' ' || q.status FROM stream_events_log l
                  JOIN processing_queue q ON q.event_log_id = l.id WHERE l.event_id = '$json_id'")" \
    "failed done"
expect_run "status still counts the two others" 1 "$STREAMTOP" status --db "$db" --json
equals "in its failures section" "$(jq -r .failures.count "$TMP/.out")" 2
READ=$("$STREAMTOP" keys create reader --permissions read --db "$db" 2>/dev/null)
serve_start "$db"
expect_call "GET /metrics" 200 "$READ" GET /metrics
contains "counts two failures outstanding" "$BODY" "streamtop_failures_outstanding 2"
expect_call "GET /v1/failures" 200 "$READ" GET /v1/failures
equals "lists the two others" "$(printf '%s' "$BODY" | jq -r '[.count, (.failures | length)] | join(" ")')" "2 2"
lacks "and not the resolved one" "$BODY" "\"$json_id\""
expect_call "GET /healthz is still unhealthy" 503 "$READ" GET /healthz

expect_run "a resolved event named again exits 0" 0 "$STREAMTOP" resolve --db "$db" --event "$json_id"
contains "saying it was skipped" "$ERR" "is not an unresolved failure; skipped"
contains "and that nothing was resolved" "$OUT" "nothing resolved"

expect_run "--all-failed resolves the rest while the ingester runs" 0 \
    "$STREAMTOP" resolve --db "$db" --all-failed
contains "it says how many" "$OUT" "resolved 2 failed events"
check "status is healthy again" wait_for 10 "$STREAMTOP" status --db "$db"
run "$STREAMTOP" status --db "$db"
contains "with no failure left to show" "$OUT" "failures    0 failed"
# The API answers from a snapshot it keeps for a second.
healthz_ok() { call "$READ" GET /healthz; [ "$CODE" = 200 ]; }
check "so is GET /healthz" wait_for 10 healthz_ok
serve_stop
equals "every row stays, byte for byte" "$(raw)" "$raw_before"

expect_run "retry --event brings a resolved failure back" 0 \
    "$STREAMTOP" retry --db "$db" --event "$json_id"
contains "it says so" "$OUT" "retried 1 failed event"
check "the ingester tries it again and it fails again" wait_for 20 sh -c \
    "[ \"\$(sqlite3 '$db' \"SELECT processing_status || coalesce(resolved_at, '-') FROM stream_events_log WHERE event_id = '$json_id'\")\" = failed- ]"
expect_run "so status is unhealthy again" 1 "$STREAMTOP" status --db "$db"
contains "with that one failure" "$OUT" "1 failed events"
ingest_stop
equals "the ingester exits 0" "$INGEST_RC" 0

expect_run "resolve needs a selection" 2 "$STREAMTOP" resolve --db "$db"
expect_run "not both" 2 "$STREAMTOP" resolve --db "$db" --all-failed --event "$json_id"
expect_run "--error-like only narrows --all-failed" 2 \
    "$STREAMTOP" resolve --db "$db" --event "$json_id" --error-like JSON
expect_run "--read-only does not apply" 2 "$STREAMTOP" resolve --db "$db" --read-only --all-failed
one_line "a usage error is one line" "$ERR"
expect_run "an unknown event id is an error" 1 \
    "$STREAMTOP" resolve --db "$db" --event "$json_id" --event company-profile:1
contains "naming it" "$ERR" "unknown event id 'company-profile:1'; nothing was resolved"
equals "and the known one was not resolved either" \
    "$(sql "$db" "SELECT resolved_at IS NULL FROM stream_events_log WHERE event_id = '$json_id'")" 1
expect_run "a missing database is an error" 1 "$STREAMTOP" resolve --db "$TMP/none.db" --all-failed
check "and is not created" test ! -e "$TMP/none.db"

done_testing
