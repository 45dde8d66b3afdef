# Retrying by hand from the failures pane of an attached dashboard
# (--no-ingest): r, tags with space and R, and R over a filter each change
# the database as shown, R asks first and defaults to no, and the process
# that ingests picks the retried events up.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

db="$TMP/attached.db"
sim_start --count 120 --rate 2000 --faults garbage:10
ingest_start "$db"
wait_settled "the ingester stores a stream with garbage in it" "$db"
ingest_stop

failed() { sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'"; }
pending() { sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'pending'"; }
total=$(failed)
check "there are failures to retry" test "$total" -ge 8

screen_start 120 40 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25"
wait_screen "the attached dashboard lists the failures" "$total failed"
wait_screen "the header says attached" "[attached]"
newest=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE processing_status = 'failed' ORDER BY id DESC LIMIT 1")

keys r
wait_screen "r names what it retried" "retried $newest"
equals "r puts the selected failure back to pending" \
    "$(sql "$db" "SELECT processing_status FROM stream_events_log WHERE event_id = '$newest'")" pending
equals "with a raised priority" \
    "$(sql "$db" "SELECT q.priority FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = '$newest'")" 10
wait_screen "the retried row leaves the list within a refresh" "$((total - 1)) failed"
keys Home   # nothing is selected once the row left: choose again
left=$((total - 1))

keys R
wait_screen "R asks how many first" "Retry all $left failures?"
keys n
wait_gone "n closes the question" "Retry all"
equals "n retries nothing" "$(failed)" "$left"
keys R
wait_screen "R asks again" "Retry all $left failures?"
keys Enter
wait_gone "Enter closes it" "Retry all"
equals "Enter is no" "$(failed)" "$left"

keys Space Space
wait_screen "space tags rows" "2 tagged"
keys R
wait_screen "R offers the tagged ones" "Retry the 2 tagged failures?"
keys y
wait_screen "y retries them" "retried 2 tagged failures"
equals "exactly the two tagged ones" "$(failed)" "$((left - 2))"
left=$((left - 2))

word=$(sql "$db" "SELECT error_message FROM stream_events_log WHERE processing_status = 'failed' ORDER BY id LIMIT 1" | awk '{print $NF}')
matching=$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND error_message LIKE '%$word%'")
keys / "$word" Enter
wait_screen "/ filters by error text" "$matching matching \"$word\""
keys R
wait_screen "R over a filter offers those matching" "Retry $matching failure"
keys y
wait_screen "and retries them" "matching \"$word\"; queued"
equals "only the matching ones were retried" "$(failed)" "$((left - matching))"
equals "none of what is left matches" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND error_message LIKE '%$word%'")" 0
keys Escape
wait_screen "Esc clears the filter" "$((left - matching)) failed"

# The retried lines are still not valid events: once an ingester runs, it
# applies them again and they fail again, one attempt more.
attempts_before=$(sql "$db" "SELECT max(q.attempts) FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = '$newest'")
ingest_start "$db"
no_pending() { [ "$(pending)" -eq 0 ]; }
if wait_for 30 no_pending; then
    ok "the ingesting process picks the retried events up"
else
    not_ok "the ingesting process picks the retried events up" "$(pending) still pending"
fi
equals "and counts the attempt" \
    "$(sql "$db" "SELECT q.attempts FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id WHERE l.event_id = '$newest'")" \
    "$((attempts_before + 1))"
wait_screen "the dashboard shows them failed again" "$total failed"
ingest_stop
keys q
wait_exit "q exits 0" 0

# Tags retried elsewhere are dropped; R with none left says so rather than
# offer to retry everything.
before=$(failed)
screen_start 120 40 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25"
wait_screen "the failures are listed again" "$before failed"
keys Home Space
wait_screen "one is tagged" "1 tagged"
tagged=$(sql "$db" "SELECT event_id FROM stream_events_log WHERE processing_status = 'failed' ORDER BY id DESC LIMIT 1")
"$STREAMTOP" retry --db "$db" --event "$tagged" >/dev/null
wait_screen "a tag retried elsewhere is dropped" "1 tag dropped"
keys R
wait_screen "R then says no tagged failure is left" "no tagged failure is left"
screen_lacks "Retry all" && ok "and asks nothing" || not_ok "and asks nothing" "$(screen_text)"

# A screen too small to show anything takes no key but q: not the y of a
# question it hides, nor r on the row selected before it shrank.  Keys are
# read in order, so the exit proves every one before it was read small.
before=$(failed)
queued=$(pending)
wait_screen "the retried one left the list" "$before failed"
keys R
wait_screen "R asks once more" "Retry all $before failures?"
tm resize-window -t st -x 40 -y 10
wait_screen "a screen too small says so" "terminal too small"
keys y r Space R y q q
wait_exit "q still quits" 0
equals "no other key acted while nothing was shown" "$(failed)" "$before"
equals "nor was anything queued" "$(pending)" "$queued"
done_testing
