#!/bin/sh
# The ingester runs the retention pass itself, on its schedule, while the
# stream flows: old processed events and old metric samples leave (late
# samples of a rolled-up hour join its row), the stream's events are all
# stored once, and `status` shows the pass.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need jq

db="$TMP/r.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
old=$(date -u -d '-40 days' +%Y-%m-%dT%H:%M:%S.000Z)
old_hour=$(date -u -d '-3 days' +%Y-%m-%dT%H:00:00.000Z)
# Rows an earlier stream left: 500 old processed events, and a day of raw
# samples three days ago (one every 5 minutes).
sql "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
           INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
           SELECT 'archive:' || i, 'changed', '{}', 'processed', '$old' FROM n;
           WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 287)
           INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at)
           SELECT 'old-' || i, 'events_received', i, '{\"interval_ms\":5000}',
                  strftime('%Y-%m-%dT%H:%M:%fZ', '$old_hour', '+' || (i * 5) || ' minutes') FROM n;"

last_pass() { "$STREAMTOP" status --db "$db" --json 2>/dev/null | jq -r ".maintenance.last_pass$1"; }
passed_by_ingester() { [ "$(last_pass .run_by)" = ingester ]; }
old_gone() { [ "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'archive:%'")" -eq 0 ]; }

sim_start --rate 500 --count 3000 --faults garbage:500
ingest_start "$db" --maintain-every 1
if wait_for 20 passed_by_ingester; then
    ok "the ingester records its pass"
else
    not_ok "the ingester records its pass" "$(tail -n 5 "$TMP/ingest.log")"
fi
check "the old processed events leave while the stream flows" wait_for 20 old_gone
equals "the old samples are rolled up into hourly rows" \
    "$(sql "$db" "SELECT count(*), sum(json_extract(tags, '$.count')) FROM system_metrics
                  WHERE json_extract(tags, '$.resolution') = '1h'" | tr '|' ' ')" "24 288"
# Samples of a rolled-up hour arriving late (a copy of old samples merged
# in): the next scheduled pass folds them into that hour's row.
sqlite3 -batch -bail -cmd '.timeout 10000' "$db" \
    "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at)
     SELECT 'late-' || i, 'events_received', 1000 + i, '{\"interval_ms\":5000}',
            strftime('%Y-%m-%dT%H:%M:%fZ', '$old_hour', '+' || i || ' minutes')
     FROM (SELECT 1 AS i UNION ALL SELECT 2)"
late_merged() { [ "$(sql "$db" "SELECT count(*) FROM system_metrics WHERE id LIKE 'late-%'")" -eq 0 ]; }
check "late samples of a rolled-up hour are taken by the next pass" wait_for 20 late_merged
equals "into that hour's one row" \
    "$(sql "$db" "SELECT count(*), sum(json_extract(tags, '$.count')), max(json_extract(tags, '$.max'))
                  FROM system_metrics WHERE recorded_at = '$old_hour'" | tr '|' ' ')" "1 14 1002"
wait_settled "the stream is stored meanwhile" "$db"
"$STREAMTOP" maintain --db "$db" >"$TMP/beside.out" 2>"$TMP/beside.err"
equals "a maintain pass beside the ingester works" "$?" 0
check "and yields to it" grep -q 'an ingester is running; the pass yields to it' "$TMP/beside.err"
ingest_stop
equals "the ingester stops cleanly" "$INGEST_RC" 0
"$STREAMTOP" maintain --db "$db" >"$TMP/alone.out" 2>"$TMP/alone.err"
equals "a maintain pass with no ingester works" "$?" 0
check "and runs flat out, saying nothing of yielding" test ! -s "$TMP/alone.err"
check_exactly_once "with passes every second" "$db"
check "the log says what each pass removed" grep -q 'event=maintained .*events=500' "$TMP/ingest.log"
check "and, at the stop, how long the writer's commits took" \
    grep -Eq 'event=commits batches=[1-9][0-9]* max_ms=[0-9.]+ p99_under_ms=[0-9]+' "$TMP/ingest.log"
equals "the counters keep every event received" \
    "$(sql "$db" "SELECT events_received FROM stream_state")" \
    "$(( $(plan_value events) + $(plan_value invalid_lines) ))"

done_testing
