#!/bin/sh
# An ingester started while another process holds the database's write
# lock waits for it, saying so in its log now and then, and stores the
# stream once the lock is free; a stop asked for meanwhile is prompt.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

waits_logged() { grep -c event=waiting_for_lock "$TMP/ingest.log" || true; }

# ---- the ingester waits for the lock, then stores everything ----
db="$TMP/locked.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
check "another process holds the write lock" hold_lock "$db"
sim_start --rate 5000 --count 300
ingest_start "$db"
check "the wait is logged" wait_for 15 grep -q \
    "event=waiting_for_lock db=$db .*reason=\"another process holds the database's write lock\"" "$TMP/ingest.log"
check "and logged again while the lock is held" wait_for 25 sh -c "[ \$(grep -c event=waiting_for_lock '$TMP/ingest.log') -ge 2 ]"
check "the ingester still runs, waiting" kill -0 "$INGEST_PID"
equals "nothing was stored meanwhile" "$(stored_events "$db")" 0
equals "the simulator was not asked for anything yet" "$(grep -c event=request "$TMP/sim.log")" 0
run "$STREAMTOP" status --db "$db"
contains "status names the process holding the lock" "$OUT" \
    "write lock held by process $LOCKER_PID (sqlite3)"
contains "and gives it as the reason nothing connects" "$OUT" \
    "never connected; process $LOCKER_PID (sqlite3) holds the database's write lock"
release_lock
wait_settled "once the lock is free, the stream is stored" "$db"
contains "the end of the wait is logged" "$(cat "$TMP/ingest.log")" event=lock_acquired
ingest_stop
equals "it stops cleanly" "$INGEST_RC" 0
check_exactly_once "after the wait" "$db"
lacks "no spurious release failure" "$(cat "$TMP/ingest.log")" release_failed
lacks "no failure to start" "$(cat "$TMP/ingest.log")" cannot_start
lacks "status names no lock holder once it has gone" "$("$STREAMTOP" status --db "$db")" "write lock held"

# ---- SIGTERM while waiting: a prompt, clean exit ----
: >"$TMP/ingest.log"
check "the lock is held again" hold_lock "$db"
ingest_start "$db"
check "the ingester waits" wait_for 15 grep -q event=waiting_for_lock "$TMP/ingest.log"
asked=$(date +%s)
ingest_stop TERM
equals "SIGTERM while waiting: exit 0" "$INGEST_RC" 0
check "SIGTERM while waiting: gone within 10 s" test $(( $(date +%s) - asked )) -le 10
contains "SIGTERM while waiting: the stop is logged" "$(cat "$TMP/ingest.log")" "event=stopping signal=SIGTERM"
lacks "SIGTERM while waiting: no spurious release failure" "$(cat "$TMP/ingest.log")" release_failed
release_lock
equals "SIGTERM while waiting: the stream was never taken" \
    "$(sql "$db" "SELECT ingester_pid IS NULL FROM stream_state")" 1

# ---- the live dashboard waits too, saying so before its screen is up ----
check "the lock is held for the dashboard" hold_lock "$db"
screen_start 120 40 "STREAMTOP_STREAM_KEY=test-stream-key '$STREAMTOP' --db '$db' --url '$SIM_URL' --log-file '$TMP/live.log'"
wait_screen "the terminal says what it waits for, and who holds it" \
    "waiting for the database's write lock, held by process $LOCKER_PID (sqlite3)" 20
contains "the log names the holder too" "$(cat "$TMP/live.log")" "holder=\"$LOCKER_PID (sqlite3)\""
release_lock
wait_screen "once it is free the dashboard comes up" "connected to" 20
keys q
wait_exit "and q exits 0" 0

done_testing
