# Failures grouped by kind of error: one row per kind with its count, a
# kind drilled into lists just its failures, and R retries a whole kind
# under the same confirmation as any set.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need sqlite3

db="$TMP/grouped.db"
"$STREAMTOP" migrate --db "$db" >/dev/null || bail "migrate failed"
sql "$db" "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 8)
    INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status,
        error_message, received_at)
    SELECT 'company-profile:' || i, 'changed', '{}', 'failed',
        CASE WHEN i <= 5 THEN 'invalid JSON at byte ' || (i * 17) ELSE 'timeout after ' || (i * 100) || ' ms' END,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM k;
    INSERT INTO processing_queue (event_log_id, status, attempts, created_at, updated_at)
    SELECT id, 'failed', 1, received_at, received_at FROM stream_events_log" >/dev/null

screen_start 100 30 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25"
wait_screen "the list shows every failure" "8 failed"
keys v
wait_screen "v groups them by kind" "Failures by kind"
wait_screen "two kinds" "8 failed in 2 kinds"
wait_screen "the most frequent first, with its count" "5 "
check "numbers that vary are one kind" screen_has "invalid JSON at byte #"
keys Enter
wait_screen "Enter lists the kind's failures" "Failures of one kind"
wait_screen "five of them" '5 like "invalid JSON at byte #"'
check "and only them" screen_lacks "timeout after"
keys Escape
wait_screen "Esc goes back to the kinds" "Failures by kind"
keys Down R
wait_screen "R asks about the kind under the cursor" 'Retry 3 failures like "timeout after # ms"?'
keys y
wait_screen "y retries that kind" 'retried 3 failures like "timeout after # ms"'
equals "exactly that kind is pending" \
    "$(sql "$db" "SELECT group_concat(event_id) FROM stream_events_log WHERE processing_status = 'pending' ORDER BY id")" \
    "company-profile:6,company-profile:7,company-profile:8"
keys r
wait_screen "r on a group says what to do instead" "Enter lists a kind"
keys v
wait_gone "v again shows every failure" "Failures by kind"
keys q
wait_exit "q exits 0" 0
done_testing
