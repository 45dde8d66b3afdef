#!/bin/sh
# `streamtop maintain`: one retention pass that says what it removed (or
# would), late samples of a rolled-up hour merged into its row, its record
# in `status`, `--vacuum` refused while an ingester holds the stream, and
# the refusals every command makes.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3 jq

db="$TMP/m.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
old=$(date -u -d '-40 days' +%Y-%m-%dT%H:%M:%S.000Z)
recent=$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
           VALUES ('company-profile:1', 'changed', '{}', 'processed', '$old'),
                  ('company-profile:2', 'changed', '{}', 'processed', '$old'),
                  ('company-profile:3', 'changed', '{}', 'failed', '$old'),
                  ('company-profile:4', 'changed', '{}', 'processed', '$old'),
                  ('company-profile:5', 'changed', '{}', 'processed', '$recent');
           INSERT INTO processing_queue (event_log_id, status) VALUES (3, 'failed');
           INSERT INTO stream_state (stream_type, last_timepoint, events_received)
           VALUES ('company-profile', 4, 5);"
week=$(date -u -d '-8 days' +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us)
           VALUES ('$week', NULL, 'GET', '/metrics', 401, 5), ('$week', NULL, 'GET', '/healthz', 401, 5),
                  ('$week', NULL, 'GET', '/v1/status', 401, 5), ('$recent', NULL, 'GET', '/metrics', 401, 5)"
count() { sql "$db" "SELECT count(*) FROM stream_events_log"; }
requests() { sql "$db" "SELECT count(*) FROM api_access_log"; }

expect_run "a dry run succeeds" 0 "$STREAMTOP" maintain --db "$db" --dry-run
contains "it says what it would remove" "$OUT" "would remove 2 processed events"
contains "and that nothing changed" "$OUT" "dry run: nothing changed"
equals "nothing did" "$(count)" 5
contains "it reports the access log rows past 7 days" "$OUT" "api_access_log     would remove 3 requests older than 7 days"
equals "and keeps them" "$(requests)" 4

expect_run "a pass succeeds" 0 "$STREAMTOP" maintain --db "$db"
contains "it says what it removed" "$OUT" "removed 2 processed events"
contains "and how many requests left the access log" "$OUT" "api_access_log     removed 3 requests older than 7 days"
equals "the recent request stays" "$(requests)" 1
contains "and the database's size" "$OUT" "free for reuse"
equals "the failed event, the resume point's and the recent one stay" \
    "$(sql "$db" "SELECT group_concat(event_id, ' ') FROM stream_events_log")" \
    "company-profile:3 company-profile:4 company-profile:5"

run "$STREAMTOP" status --db "$db"
contains "status shows the pass" "$OUT" "by maintain: removed 2 events"
contains "with the access log's rows" "$OUT" "3 API requests"
equals "the record keeps them" \
    "$(sql "$db" "SELECT access_log_removed FROM maintenance_state")" 3
contains "and the database's size" "$OUT" "free for reuse"
run "$STREAMTOP" status --db "$db" --json
equals "status --json has the pass" \
    "$(jq -r '.maintenance.last_pass | "\(.run_by) \(.events_removed)"' "$TMP/.out")" "maintain 2"
check "and the size" jq -e '.maintenance.db_bytes > 0' "$TMP/.out"
equals "the counters did not drop" "$(jq -r .throughput.totals.received "$TMP/.out")" 5

expect_run "--keep-events shortens the age" 0 "$STREAMTOP" maintain --db "$db" --keep-events 1 --dry-run
contains "to what it says" "$OUT" "would remove 1 processed events"
expect_run "--keep-events 0 is bad usage" 2 "$STREAMTOP" maintain --db "$db" --keep-events 0
expect_run "--vacuum with --dry-run is bad usage" 2 "$STREAMTOP" maintain --db "$db" --vacuum --dry-run

# A live process on this host holding the stream's lease is an ingester.
sleep 60 &
holder=$!
at_exit "kill $holder 2>/dev/null"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "UPDATE stream_state SET ingester_pid = $holder, ingester_host = '$(hostname)',
           ingester_seen_at = '$now'"
sql "$db" "INSERT INTO search_cache (id, query_hash, query_text, results, expires_at)
           VALUES ('stale', 'hs', 'q', '[]', '2000-01-01T00:00:00.000Z')"
expect_run "--vacuum is refused while an ingester holds the stream" 1 \
    "$STREAMTOP" maintain --db "$db" --vacuum
contains "saying why" "$ERR" "--vacuum needs the database to itself; nothing was changed"
lacks "before any pass ran" "$OUT" "removed"
equals "the pass's work is left undone" "$(sql "$db" "SELECT count(*) FROM search_cache WHERE id = 'stale'")" 1
kill "$holder"
wait "$holder" 2>/dev/null
expect_run "--vacuum runs once it is gone" 0 "$STREAMTOP" maintain --db "$db" --vacuum
equals "and leaves no free pages" "$(sql "$db" "PRAGMA freelist_count")" 0
equals "nor the lease" "$(sql "$db" "SELECT coalesce(ingester_pid, 'none') FROM stream_state")" none

# A disk that fills up during a pass: a file size limit makes every write
# past it fail, as a full disk does.  The steps before stay done, the one
# that failed is undone, and nothing else is touched.
full="$TMP/full.db"
"$STREAMTOP" migrate --db "$full" >/dev/null
sql "$full" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
             SELECT 'company-profile:' || i, 'changed', hex(randomblob(400)), 'processed', '$old' FROM n;
             INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
             VALUES ('company-profile:20001', 'changed', '{}', 'failed', '$old');"
run sh -c "trap '' XFSZ; ulimit -f 2000; exec '$STREAMTOP' maintain --db '$full'"
equals "a pass that runs out of space fails" "$RC" 1
contains "and says what stays" "$ERR" "maintenance stopped; what was removed before this stays removed, nothing else changed"
equals "the database is intact" "$(sql "$full" "PRAGMA integrity_check")" ok
left=$(sql "$full" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'processed'")
check "it stopped short: old events are still there ($left)" test "$left" -gt 0 -a "$left" -le 20000
equals "the failed event is kept"     "$(sql "$full" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'")" 1
expect_run "with room again, the next pass finishes the job" 0 "$STREAMTOP" maintain --db "$full"
equals "leaving only the failed event" "$(sql "$full" "SELECT count(*) FROM stream_events_log")" 1

# Samples written into an hour already rolled up (an ingester whose clock
# was behind, an old database merged in) join that hour's row: a dry run
# says so, and the pass does what it said.
late="$TMP/late.db"
"$STREAMTOP" migrate --db "$late" >/dev/null
hour=$(date -u -d '-3 days' +%Y-%m-%dT%H)
metric() {
    sql "$late" "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at)
                 VALUES (lower(hex(randomblob(16))), 'events_received', $1, '{\"interval_ms\":5000}',
                         '$hour:$2:00.000Z')"
}
metric 1 05; metric 5 10; metric 3 20
"$STREAMTOP" maintain --db "$late" >/dev/null
metric 9 50; metric -1 55
hour_rows() {
    sql "$late" "SELECT group_concat(json_extract(tags, '\$.count') || ' ' || json_extract(tags, '\$.min')
                 || ' ' || json_extract(tags, '\$.max') || ' ' || json_extract(tags, '\$.mean') || ' '
                 || json_extract(tags, '\$.last'), '; ') FROM system_metrics"
}
expect_run "a dry run over late samples succeeds" 0 "$STREAMTOP" maintain --db "$late" --dry-run
contains "it counts them into the hour's one row" "$OUT" "would roll up 2 raw samples into 1 hourly rows"
equals "and leaves them" "$(sql "$late" "SELECT count(*) FROM system_metrics")" 3
expect_run "the pass over them succeeds" 0 "$STREAMTOP" maintain --db "$late"
contains "doing what the dry run said" "$OUT" "rolled up 2 raw samples into 1 hourly rows"
equals "the hour keeps one row, with every sample in its figures" "$(hour_rows)" "5 -1 9 3.4 -1"

expect_run "a missing database is a failure" 1 "$STREAMTOP" maintain --db "$TMP/none.db"
contains "named" "$ERR" "no such database"
check "and not created" test ! -e "$TMP/none.db"

newer="$TMP/newer.db"
"$STREAMTOP" migrate --db "$newer" >/dev/null
sql "$newer" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')"
before=$(checksum "$newer")
expect_run "a newer schema is refused" 1 "$STREAMTOP" maintain --db "$newer"
contains "saying so" "$ERR" "newer than this streamtop knows"
equals "the file is unchanged" "$(checksum "$newer")" "$before"

done_testing
