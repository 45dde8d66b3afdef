#!/bin/sh
# `streamtop retry`: failed events go back to pending at a raised priority,
# and a running ingester picks them up; order-safe applying marks an old
# event superseded instead of overwriting newer data.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

db="$TMP/retry.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
# A fault in the database, not in the stream: writes to two companies fail
# until an operator removes the cause.
sql "$db" "CREATE TRIGGER refuse_two BEFORE INSERT ON companies
           WHEN NEW.company_number IN (SELECT company_number FROM companies_refused)
           BEGIN SELECT RAISE(ABORT, 'refused by a local rule'); END;
           CREATE TABLE companies_refused (company_number TEXT);"
sim_start --rate 5000 --count 300 --faults garbage:100
# Learn two company numbers the stream will carry, from a first pass.
ingest_start "$TMP/probe.db"
wait_settled "the probe run settles" "$TMP/probe.db"
ingest_stop
sql "$TMP/probe.db" "SELECT company_number FROM companies ORDER BY company_number LIMIT 2" >"$TMP/refused"
sql "$db" "INSERT INTO companies_refused VALUES ('$(sed -n 1p "$TMP/refused")'), ('$(sed -n 2p "$TMP/refused")')"

sim_start --rate 5000 --count 300 --faults garbage:100
ingest_start "$db"
check "the run stores every event" wait_for 30 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM stream_events_log WHERE processing_status <> 'pending'\") -eq 303 ]"
ingest_stop
refused=$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE error_message LIKE '%refused by a local rule%' AND processing_status = 'failed'")
check "events of the refused companies failed" test "$refused" -ge 2
equals "the invalid lines failed too" "$(stored_invalid "$db")" 3
failed=$((refused + 3))
first=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE error_message LIKE '%local rule%' ORDER BY id LIMIT 1")

sum_before=$(sql "$db" "SELECT group_concat(processing_status || coalesce(processed_at, ''), ',') FROM stream_events_log ORDER BY id")
expect_run "--dry-run exits 0" 0 "$STREAMTOP" retry --db "$db" --all-failed --dry-run
contains "--dry-run says how many" "$OUT" "would retry $failed failed events"
equals "--dry-run changes nothing" \
    "$(sql "$db" "SELECT group_concat(processing_status || coalesce(processed_at, ''), ',') FROM stream_events_log ORDER BY id")" "$sum_before"

expect_run "an unknown event id is an error" 1 "$STREAMTOP" retry --db "$db" --event "$first" --event company-profile:1
contains "naming it" "$ERR" "unknown event id 'company-profile:1'"
equals "and nothing was retried, not even the known one" \
    "$(sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = '$first'")" failed
expect_run "retry needs a selection" 2 "$STREAMTOP" retry --db "$db"
expect_run "a missing database is an error" 1 "$STREAMTOP" retry --db "$TMP/none.db" --all-failed
check "and is not created" test ! -e "$TMP/none.db"

expect_run "--error-like selects by error text" 0 "$STREAMTOP" retry --db "$db" --all-failed --error-like "not valid JSON" --dry-run
contains "and counts only those" "$OUT" "would retry 1 failed event "

# The operator removes the cause, retries one event, then the rest.
sql "$db" "DELETE FROM companies_refused"
expect_run "--event retries one event" 0 "$STREAMTOP" retry --db "$db" --event "$first"
contains "it says so" "$OUT" "retried 1 failed event"
equals "the event is pending again" \
    "$(sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = '$first'")" pending
check "with a raised priority" test \
    "$(sql "$db" "SELECT q.priority FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = '$first'")" -gt 5

sim_start --rate 5000 --count 300 --faults garbage:100
ingest_start "$db"
check "the ingester picks the retried event up" wait_for 20 sh -c \
    "[ \"\$(sqlite3 '$db' \"SELECT processing_status FROM stream_events_log WHERE event_id = '$first'\")\" = processed ]"
equals "it counts its attempts" \
    "$(sql "$db" "SELECT q.attempts FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = '$first'")" 2
expect_run "--all-failed while the ingester runs" 0 "$STREAMTOP" retry --db "$db" --all-failed
check "picks up the rest" wait_for 20 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'\") -eq 3 ]"
equals "events of a refused company are applied now, or noted as superseded" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE error_message LIKE '%local rule%' AND processing_status <> 'processed'")" 0
equals "each company reflects its newest event" \
    "$(sql "$db" "SELECT count(*) FROM companies c WHERE c.stream_timepoint <>
        (SELECT max(CAST(substr(l.event_id, 17) AS INTEGER)) FROM stream_events_log l
          WHERE l.company_number = c.company_number AND l.event_id LIKE 'company-profile:%')")" 0
equals "invalid lines fail again: nothing in them to apply" \
    "$(sql "$db" "SELECT min(q.attempts) FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id LIKE 'invalid:%'")" 2
ingest_stop
equals "the ingester exits 0" "$INGEST_RC" 0

done_testing
