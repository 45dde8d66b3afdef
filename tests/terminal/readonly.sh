# --read-only: retry keys are refused with a reason, the [read-only] tag is
# always shown, the file's bytes never change and no file appears beside
# it; with a writer ingesting at the same time, the writer keeps going and
# our reads never stop it from checkpointing its WAL.  A missing database
# is an error, never created.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

mkdir -p "$TMP/ro"
db="$TMP/ro/watched.db"
sim_start --count 80 --rate 2000 --faults garbage:10
ingest_start "$db"
wait_settled "a database with failures is prepared" "$db"
ingest_stop
sim_stop
before=$(checksum "$db")
files_before=$(ls -a "$TMP/ro")

screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "the read-only tag is shown" "[read-only]"
wait_screen "the failures are listed" "invalid:"
for key in r Space R; do
    keys "$key"
    wait_screen "$key is refused, saying why" "read-only: retries are disabled"
    wait_gone "the message clears" "read-only: retries are disabled" 10
done
screen_has "R:retry all" && ok "the footer still lists the retry keys, greyed" || not_ok "the footer lists the retry keys" "$(screen_text)"
keys '?'
wait_screen "help marks the retry keys disabled" "(disabled: read-only)"
keys Escape
keys Enter
wait_screen "details still open" "Error:"
keys r
wait_screen "r in the details is refused too" "read-only: retries are disabled"
keys Escape
keys q
wait_exit "q exits 0" 0
equals "the database's bytes are unchanged" "$(checksum "$db")" "$before"
equals "no file appeared beside it" "$(ls -a "$TMP/ro")" "$files_before"
equals "nothing was retried" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'pending'")" 0

# A view opened while nothing writes is frozen (immutable); a writer that
# starts later is followed, the failures pane's queries included.
screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "a quiet database is watched" "[read-only]"
sim_start --rate 400 --faults garbage:10
ingest_start "$db"
wait_screen "a writer started afterwards is followed" "connected to" 20
screen_lacks "cannot read the database" && ok "and every pane still reads" ||
    not_ok "every pane still reads" "$(screen_text)"
keys q
wait_exit "q exits 0" 0
ingest_stop
sim_stop

# Watching a database while an ingester writes it.
live="$TMP/live.db"
sim_start --rate 400
ingest_start "$live"
has_events() { [ "$(stored_events "$live")" -gt 0 ] 2>/dev/null; }
wait_for 20 has_events
screen_start 120 40 "'$STREAMTOP' --read-only --db '$live' --refresh 0.25"
wait_screen "the read-only view opens beside a writer" "[read-only]"
seen=$(screen_number received)
received_moves() { [ "$(screen_number received)" -gt "${seen:-0}" ] 2>/dev/null; }
if wait_for 20 received_moves; then ok "it follows the writer's progress"; else not_ok "it follows the writer's progress" "$(screen_text)"; fi
stored=$(stored_events "$live")
more_stored() { [ "$(stored_events "$live")" -gt "$stored" ]; }
if wait_for 20 more_stored; then ok "the writer keeps storing while we watch"; else not_ok "the writer keeps storing"; fi
# A TRUNCATE checkpoint needs every reader to be off the WAL; ours hold it
# only for the instant of a snapshot, so one succeeds within a few tries.
checkpointed() { [ "$(sql "$live" "PRAGMA busy_timeout = 200; PRAGMA wal_checkpoint(TRUNCATE)" | tail -n 1 | cut -d'|' -f1)" = 0 ]; }
if wait_for 20 checkpointed; then ok "the writer's WAL can be checkpointed while we watch"; else not_ok "the WAL can be checkpointed"; fi
if kill -0 "$INGEST_PID" 2>/dev/null; then ok "the writer is still running"; else not_ok "the writer is still running"; fi
# Nothing is written once the writer is killed; the view still learns it
# within seconds, as status does.
wait_screen "the view shows the stream connected" "connected to"
ingest_stop KILL
wait_screen "a writer killed with -9 shows disconnected within 5 s" "disconnected from" 5
wait_screen "and its rate falls to nothing" "now 0/s" 8
keys q
wait_exit "q exits 0 beside a writer" 0
sim_stop

screen_start 100 30 "'$STREAMTOP' --read-only --db '$TMP/missing.db'"
wait_exit "a missing database is an error" 1
screen_has "missing.db" && ok "the error names the file" || not_ok "the error names the file" "$(screen_text)"
check "and it is not created" test ! -e "$TMP/missing.db"
done_testing
