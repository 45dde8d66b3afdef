# A write from the dashboard acts on exactly what the operator saw and
# confirmed, while failures keep arriving: the selection never moves by
# itself, r in details retries the event shown, R retries the set it
# counted, nothing that is no longer failed is re-queued, tags hidden by
# the filter are said, a second r does not land on the next row, and an
# attached screen with no ingester says so.  Failures "arrive" as rows
# another connection inserts, so every step is deterministic.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need sqlite3

db="$TMP/pinned.db"
log="$TMP/dashboard.log"
"$STREAMTOP" migrate --db "$db" >/dev/null || bail "migrate failed"

status_of() { sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = 'company-profile:$1'"; }
attempts_of() { sql "$db" "SELECT q.attempts FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = 'company-profile:$1'"; }
failed() { sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'"; }
pending() { sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'pending'"; }

add_failures 1000 1019
screen_start 120 40 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25 --log-file '$log'"
wait_screen "the attached dashboard lists the failures" "20 failed"
wait_screen "with no ingester running, the screen says so" "no ingester running"

# The selection stays on its row as newer ones arrive above it.
keys Enter
wait_screen "Enter shows the top row" "company-profile:1019 (changed)"
keys Escape
add_failures 1020 1022
wait_screen "three newer rows arrive" "23 failed"
wait_screen "and are announced above the window" "3 newer"
keys Enter
wait_screen "the selection is still the row that was chosen" "company-profile:1019 (changed)"

# r in details retries the event the details show, whatever arrived since.
add_failures 1023 1025
equals "more arrive while the details are open" "$(failed)" 26
keys r
wait_screen "r names what it retried" "retried company-profile:1019"
wait_screen "and says nothing will apply it yet" "no ingester is running to apply it"
equals "the event shown is the one retried" "$(status_of 1019)" pending
equals "and no other" "$(pending)" 1

# A second r does not fall onto the row that slid into the retried one's place.
wait_screen "the retried row leaves the list" "25 failed"
wait_screen "and nothing is selected" "none selected"
keys r
wait_screen "a second r retries nothing" "nothing selected"
equals "still exactly one retried" "$(pending)" 1

# f follows the newest; a move stops it.
keys f
wait_screen "f follows the newest, as the title says" "following the newest"
keys j
wait_gone "any move stops following" "following the newest"

# R retries the set it counted, not what arrived before y.
keys R
wait_screen "R counts the failures" "Retry all 25 failures?"
add_failures 1026 1030
sleep_until_counted() { [ "$(failed)" -eq 30 ]; }
wait_for 10 sleep_until_counted
sql "$db" "UPDATE stream_events_log SET processing_status = 'processed', processed_at = '2026-12-01T00:00:00Z' WHERE event_id IN ('company-profile:1000', 'company-profile:1001');
           UPDATE processing_queue SET status = 'done', attempts = 2 WHERE event_log_id IN (SELECT id FROM stream_events_log WHERE event_id IN ('company-profile:1000', 'company-profile:1001'))" >/dev/null
keys y
wait_screen "y says what happened to the set" "retried 23 of all 25 failures; 2 were no longer failed"
equals "exactly the 23 still failed of the 25 counted" "$(pending)" 24
equals "the five that arrived after the question are untouched" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND event_id >= 'company-profile:1026'")" 5
equals "a processed event is not applied again" "$(attempts_of 1000) $(status_of 1000)" "2 processed"

# Tags: one resolved elsewhere is dropped; one the filter hides is said.
sql "$db" "UPDATE stream_events_log SET processing_status = 'failed' WHERE processing_status = 'pending'" >/dev/null
add_failures 1031 1031 "timeout talking to the registry"
keys Home
wait_screen "the list is back" "30 failed"
keys Space Space Space
wait_screen "three tagged" "3 tagged"
tagged=$(sql "$db" "SELECT group_concat(event_id) FROM (SELECT event_id FROM stream_events_log WHERE processing_status = 'failed' ORDER BY id DESC LIMIT 3)")
second=$(echo "$tagged" | cut -d, -f2 | cut -d: -f2)
sql "$db" "UPDATE stream_events_log SET processing_status = 'processed' WHERE event_id = 'company-profile:$second'" >/dev/null
wait_screen "a tag whose row left the list is dropped" "2 tagged"
keys / timeout Enter
wait_screen "a filter hides one of them" "1 matching \"timeout\""
keys R
wait_screen "R counts the tags, not the filter" "Retry the 2 tagged failures?"
wait_screen "and says one is hidden by the filter" "1 of them hidden by the filter"
keys y
wait_screen "y retries the tagged ones" "retried 2 tagged failures"
equals "the resolved one stayed processed" "$(status_of "$second")" processed

# Another connection holds the write lock: the retry waits on its own
# thread and says so, and the screen keeps answering keys.
mkfifo "$TMP/lock"
sqlite3 "$db" < "$TMP/lock" >/dev/null 2>&1 &
exec 7>"$TMP/lock"
printf '.timeout 10000\nBEGIN IMMEDIATE; SELECT 1;\n' >&7
locked() { ! sqlite3 "$db" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; }
wait_for 10 locked || bail "could not hold the write lock"
keys Escape Home
wait_gone "the filter is cleared" 'matching "timeout"'
keys r
wait_screen "a retry behind a held lock says it waits" "another connection holds the write lock"
keys '?'
wait_screen "keys still answer meanwhile" "show this help"
keys Escape
echo "ROLLBACK;" >&7
exec 7>&-
wait_screen "once the lock is released the retry is done" "retried company-profile:"

# The audit trail: who retried what.
wait_for 10 grep -q 'event=retry.*what="2 tagged failures"' "$log"
contains "every retry is in the log, with the user" "$(grep 'event=retry' "$log")" "user=$(id -un)"
contains "with the single event's id" "$(grep 'event=retry' "$log")" 'what=company-profile:1019'
contains "and the filter of a set" "$(grep 'event=retry' "$log" | grep 'all 25')" 'asked=25'

keys q
wait_exit "q exits 0" 0
done_testing
