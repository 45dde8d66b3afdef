# R over 50,000 failures: the question comes at once with the right count
# (the screen only counts; the retry thread lists the set), keys answer
# while the set is carried out, and the set is what was counted: failures
# arriving after the question are left alone, and those resolved meanwhile
# are said to be no longer failed.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need sqlite3

db="$TMP/many.db"
log="$TMP/dashboard.log"
"$STREAMTOP" migrate --db "$db" >/dev/null || bail "migrate failed"

count() { sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = '$1'"; }

add_failures 1 50000
screen_start 120 40 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25 --log-file '$log'"
wait_screen "the dashboard counts 50,000 failures" "50,000 failed"

keys R
wait_screen "R asks about exactly the 50,000" "Retry all 50,000 failures?"
keys Escape
wait_gone "a key right after R is answered" "Retry all 50,000 failures?"

keys R
wait_screen "R asks again" "Retry all 50,000 failures?"
add_failures 50001 50005
arrived() { [ "$(count failed)" -eq 50005 ]; }
wait_for 10 arrived || bail "the new failures were not stored"
sql "$db" "UPDATE stream_events_log SET processing_status = 'processed'
           WHERE event_id IN ('company-profile:7', 'company-profile:49999')" >/dev/null
keys y
keys '?'
wait_screen "keys answer while the set is carried out" "show this help"
keys Escape
# A bound for slow builds (ThreadSanitizer's is ten times slower): the
# wait ends as soon as the answer shows.
wait_screen "the outcome counts against what was asked" \
    "retried 49,998 of all 50,000 failures; 2 were no longer failed" 600
equals "exactly the 49,998 still failed of the 50,000 counted are pending" "$(count pending)" 49998
equals "the five that arrived after the question are still failed" "$(count failed)" 5
wait_for 10 grep -q 'event=retry.*asked=50000' "$log"
contains "the audit line names the bound of the set" "$(grep 'event=retry' "$log")" \
    'up_to=50000'

keys q
wait_exit "q exits 0" 0
done_testing
