# The failures list gives its spare width to the error, shows event ids
# whole, leaves out a column that is empty on every row, and marks what it
# had to cut; other keys say where they work.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need sqlite3

db="$TMP/columns.db"
"$STREAMTOP" migrate --db "$db" >/dev/null || bail "migrate failed"
error60="processing failed: companies.company_name must not be empty!"
id="invalid:1004319+1:33853abc"
sql "$db" "INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status,
               error_message, received_at)
           VALUES ('$id', 'invalid', 'x', 'failed', '$error60', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
           INSERT INTO processing_queue (event_log_id, status, attempts, created_at, updated_at)
           SELECT id, 'failed', 1, received_at, received_at FROM stream_events_log" >/dev/null
equals "the error is sixty characters long" "${#error60}" 60

screen_start 120 40 "'$STREAMTOP' --read-only --db '$db'"
wait_screen "at 120 columns the 60-character error is shown whole" "$error60"
wait_screen "and the event id whole" "$id "
check "a column empty on every row is not drawn" screen_lacks "COMPANY"
keys q
wait_exit "q exits" 0

screen_start 80 24 "'$STREAMTOP' --read-only --db '$db'"
wait_screen "at 80 columns the id is still whole" "$id "
wait_screen "and the cut error ends in a mark" "…"
keys Tab
keys r
wait_screen "a key that works elsewhere says where" "r: works in Failures"
keys 3 Enter
wait_screen "3 jumps to Failures, where Enter opens the details" "Failure $id"
keys q q
wait_exit "q closes, then quits" 0
done_testing
