#!/bin/sh
# A backup taken while the ingester writes is a consistent prefix of the
# stream with its resume point; restored, and ingested from again, it
# finishes the stream with every event exactly once.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need jq

db="$TMP/live.db"
dir="$TMP/backups"
mkdir "$dir"
some_stored() { [ "$(stored_events "$db" 2>/dev/null || echo 0)" -gt 1500 ]; }

sim_start --rate 1500 --count 9000 --faults garbage:700
ingest_start "$db"
check "events are being stored" wait_for 20 some_stored
expect_run "a backup is made while the ingester writes" 0 "$STREAMTOP" backup --db "$db" --to "$dir"
file=$(ls "$dir"/streamtop-*.db)
check "the ingester is still storing" test "$(stored_events "$db")" -lt "$(plan_value events)"
wait_settled "the live database settles" "$db"
ingest_stop
check_exactly_once "live" "$db"

expect_run "the backup verifies" 0 "$STREAMTOP" backup --verify "$file"
restored="$TMP/restored.db"
expect_run "and is restored" 0 "$STREAMTOP" restore --from "$file" --db "$restored"
equals "the restored database is intact" "$(sql "$restored" "PRAGMA integrity_check")" ok
resume=$(sql "$restored" "SELECT last_timepoint FROM stream_state")
equals "it holds exactly a prefix of the stream, up to its resume point" \
    "$(sql "$restored" "SELECT count(*) || ' ' || min(CAST(substr(event_id, 17) AS INTEGER)) || ' ' ||
                              max(CAST(substr(event_id, 17) AS INTEGER)) FROM stream_events_log
                        WHERE event_id LIKE 'company-profile:%'")" \
    "$(( resume - $(plan_value first_timepoint) + 1 )) $(plan_value first_timepoint) $resume"
check "short of the end" test "$resume" -lt "$(plan_value last_timepoint)"

ingest_start "$restored"
wait_settled "ingesting from the restored copy finishes the stream" "$restored"
ingest_stop
check_exactly_once "restored" "$restored"

done_testing
