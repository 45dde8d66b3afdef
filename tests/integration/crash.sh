#!/bin/sh
# kill -9 at random moments loses nothing committed and duplicates nothing:
# after several crashes and a final clean run, every event the simulator
# sent is stored exactly once and the database is intact.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

seed=${CRASH_SEED:-$$}
echo "# CRASH_SEED=$seed reproduces these kill moments"
db="$TMP/crash.db"
sim_start --rate 4000 --count 12000 --faults garbage:97,drop:2500
crashes=0
runs=0
started() { [ "$(grep -c 'event=ingester_started' "$TMP/ingest.log" 2>/dev/null)" -ge "$runs" ]; }
stored_some() { [ "$(stored_events "$db")" -gt 0 ] 2>/dev/null; }
for delay in $(awk -v seed="$seed" 'BEGIN { srand(seed); for (i = 0; i < 6; i++) printf "%.2f\n", 0.15 + rand() * 0.6 }'); do
    ingest_start "$db" --batch-ms 20 --batch-events 200
    runs=$((runs + 1))
    # Each run has taken the stream before its moment is counted, and the
    # first has committed a resume point (a run with none starts from "now",
    # as the real service does, and would skip what was sent before).
    wait_for 30 started || bail "run $runs never started"
    [ "$runs" -gt 1 ] || wait_for 30 stored_some || bail "the first run stored nothing"
    # The moment is the point of the test: the ingester is mid-batch, mid-
    # commit or mid-checkpoint when it dies.
    sleep "$delay"
    if kill -9 "$INGEST_PID" 2>/dev/null; then crashes=$((crashes + 1)); fi
    wait "$INGEST_PID" 2>/dev/null
    INGEST_PID=
done
equals "the ingester was killed six times" "$crashes" 6
check "it had stored some events before the last crash" test "$(stored_events "$db")" -gt 0

ingest_start "$db" --batch-ms 20
wait_settled "a clean run after the crashes settles" "$db" 90
ingest_stop TERM
equals "and exits 0" "$INGEST_RC" 0
check_exactly_once "after six crashes" "$db"
equals "the database is intact" "$(sql "$db" "PRAGMA integrity_check")" ok
equals "foreign keys hold" "$(sql "$db" "PRAGMA foreign_key_check")" ""
equals "the resume point is the newest event" \
    "$(sql "$db" "SELECT last_timepoint FROM stream_state")" "$(plan_value last_timepoint)"
equals "companies reflect the newest event of each" \
    "$(sql "$db" "SELECT count(*) FROM companies c WHERE c.stream_timepoint IS NOT NULL AND c.stream_timepoint <>
        (SELECT max(CAST(substr(l.event_id, 17) AS INTEGER)) FROM stream_events_log l
          WHERE l.company_number = c.company_number AND l.event_id LIKE 'company-profile:%')")" 0
check "every run after a crash took over the stream" \
    test "$(grep -c 'event=ingester_started' "$TMP/ingest.log")" -eq 7

done_testing
