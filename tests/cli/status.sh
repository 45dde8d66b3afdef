#!/bin/sh
# `streamtop status`: a human summary (safe text only) or JSON with the five
# sections, and an exit status a monitoring check can use.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3 jq

db="$TMP/s.db"
"$STREAMTOP" migrate --db "$db" >/dev/null

expect_run "a database that never connected is unhealthy" 1 "$STREAMTOP" status --db "$db"
for section in connection throughput failures queue metrics health; do
    contains "the summary has a $section line" "$OUT" "$section"
done
contains "it says why" "$OUT" "never connected"

run "$STREAMTOP" status --db "$db" --json
equals "--json exits 1 too" "$RC" 1
check "--json prints valid JSON" jq -e . "$TMP/.out"
equals "with the five sections" \
    "$(jq -r '[has("connection","throughput","failures","queue","metrics")] | all' "$TMP/.out")" true
equals "and the verdict" "$(jq -r .healthy "$TMP/.out")" false
equals "one line of JSON" "$(wc -l < "$TMP/.out")" 1

now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "UPDATE stream_metadata SET connection_status = 'connected', last_event_id = 'company-profile:7';
           INSERT INTO stream_state (stream_type, state, state_since, connected_since, last_event_at,
               last_timepoint, events_received, events_changed)
           VALUES ('company-profile', 'connected', '$now', '$now', '$now', 7, 3, 3);"
expect_run "a connected stream without failures is healthy" 0 "$STREAMTOP" status --db "$db"
contains "and says so" "$OUT" "health      ok"
run "$STREAMTOP" status --db "$db" --json
equals "JSON agrees" "$(jq -r '.healthy, .connection.state, .connection.last_timepoint, .throughput.totals.received' "$TMP/.out" | tr '\n' ' ')" \
    "true connected 7 3 "

# Hostile text from the stream must not reach the terminal as control codes.
esc=$(printf '\033')
sql "$db" "INSERT INTO stream_events_log (event_id, event_type, company_number, event_data,
               processing_status, error_message, received_at)
           VALUES ('company-profile:8', 'changed', '0000' || char(27) || ']0;pwned' || char(7),
                   '{}', 'failed', 'bad ' || char(27) || '[31mred' || char(27) || '[0m',
                   '$now');
           UPDATE stream_metadata SET last_error = char(27) || 'c reset the terminal';"
run "$STREAMTOP" status --db "$db"
equals "a failure makes it unhealthy" "$RC" 1
contains "the failure is listed" "$OUT" "company-profile:8"
lacks "no escape byte reaches the output" "$OUT" "$esc"
lacks "no bell byte reaches the output" "$OUT" "$(printf '\007')"
contains "escapes are shown as placeholders" "$OUT" "^[[31mred"
contains "the reason names the failures" "$OUT" "1 failed events"
run "$STREAMTOP" status --db "$db" --json
equals "JSON keeps the text as data" "$(jq -r '.failures.recent[0].error' "$TMP/.out")" \
    "bad ${esc}[31mred${esc}[0m"

# A retry of a ten-minute-old failure starts waiting now: "oldest pending"
# counts from when it was queued again, and the queue is not called stuck.
old=$(date -u -d "@$(( $(date +%s) - 600 ))" +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "UPDATE stream_events_log SET received_at = '$old' WHERE event_id = 'company-profile:8';
           INSERT INTO processing_queue (event_log_id, status, attempts, last_error, created_at, updated_at)
           SELECT id, 'failed', 1, 'bad', '$old', '$old' FROM stream_events_log
           WHERE event_id = 'company-profile:8';"
expect_run "the old failure is retried" 0 "$STREAMTOP" retry --db "$db" --event company-profile:8
run "$STREAMTOP" status --db "$db" --json
waited=$(jq -r '(.taken_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) -
                (.queue.oldest_pending_at | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601)' "$TMP/.out")
check "oldest pending counts from the retry (waited ${waited}s)" test "$waited" -lt 60
lacks "the queue is not called stuck" "$(jq -r '.problems[]' "$TMP/.out")" "queue stuck"
equals "the backlog counts it" "$(jq -r .queue.backlog "$TMP/.out")" 1

done_testing
