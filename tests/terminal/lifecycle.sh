# How the dashboard starts and ends: it refuses to run without a terminal;
# SIGTERM, SIGINT and SIGHUP end it with the terminal restored; live mode
# commits everything received before giving the terminal back; an
# unusable terminal type is an error printed on a normal screen; colours
# follow --no-color and NO_COLOR; a fatal error with the screen up is
# printed once the terminal is restored.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

expect_run "the dashboard refuses to start without a terminal" 2 \
    "$STREAMTOP" --read-only --db "$TMP/none.db"
contains "and says what to use instead" "$ERR" "streamtop status"
expect_run "so does the demo" 2 "$STREAMTOP" demo
check "nothing was created" test ! -e "$TMP/none.db"

for sig in TERM INT HUP; do
    screen_start 100 30 "'$STREAMTOP' demo"
    wait_screen "the demo runs (SIG$sig)" "connected to 127.0.0.1"
    db=$(screen_text | sed -n 's/.*\[demo\] \(\/[^ ]*streamtop\.db\).*/\1/p' | head -n 1)
    kill "-$sig" "$(streamtop_pid)"
    wait_exit "SIG$sig ends it with status 0 and the terminal restored" 0
    check "SIG$sig: the demo's files are removed" test ! -e "$(dirname "$db")"
done

db="$TMP/live.db"
sim_start --count 300 --rate 300
screen_start 100 30 "STREAMTOP_STREAM_KEY= '$STREAMTOP' --db '$db' --url '$SIM_URL'"
wait_exit "live mode without a stream key is a usage error" 2
screen_has "stream key" && ok "naming what is missing" || not_ok "naming what is missing" "$(screen_text)"

screen_start 100 30 "'$STREAMTOP' --db '$db' --url '$SIM_URL' --refresh 0.25"
wait_screen "live mode shows the header tag" "[live]"
wait_screen "and ingests the stream" "received 300" 60
keys q
wait_exit "q exits 0" 0
equals "every event received was committed" "$(stored_events "$db")" 300
equals "and applied" "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE processing_status IN ('pending', 'processing')")" 0
equals "the stream is released for the next ingester" \
    "$(sql "$db" "SELECT coalesce(ingester_pid, 0) FROM stream_state")" 0

screen_start 100 30 "TERM=no-such-terminal '$STREAMTOP' --read-only --db '$db'"
wait_exit "an unusable terminal type is a runtime error, the terminal untouched" 1
screen_has 'cannot use terminal type "no-such-terminal"' && ok "the error is printed on the terminal" ||
    not_ok "the error is printed on the terminal" "$(screen_text)"
screen_start 100 30 "TERM=dumb '$STREAMTOP' --read-only --db '$db'"
wait_exit "a terminal that cannot place the cursor is refused, the terminal untouched" 1
screen_has 'terminal type "dumb" cannot place the cursor' && ok "saying why" ||
    not_ok "saying why" "$(screen_text)"

colour_codes() { tm capture-pane -p -e -t st | grep -cE $'\e\\[([0-9;]*;)?3[0-7](;[0-9;]*)?m' || true; }
screen_start 100 30 "'$STREAMTOP' --read-only --db '$db'"
wait_screen "the read-only view opens" "[read-only]"
check "colours are used when the terminal has them" test "$(colour_codes)" -gt 0
keys q
wait_exit "q exits 0 (colour)" 0
screen_start 100 30 "NO_COLOR=1 '$STREAMTOP' --read-only --db '$db'"
wait_screen "NO_COLOR: the view opens" "[read-only]"
equals "NO_COLOR: no colours" "$(colour_codes)" 0
keys q
wait_exit "q exits 0 (NO_COLOR)" 0
# A fatal error with the screen up: the file is zeroed under the live
# ingester, whose next commit finds it malformed.  The ingester stops, the
# terminal is restored, and then the error is printed.
sim_start --rate 200
screen_start 100 30 "'$STREAMTOP' --db '$db' --url '$SIM_URL'"
wait_screen "live mode runs on the database again" "connected to 127.0.0.1"
dd if=/dev/zero of="$db" bs=4096 seek=3 count="$(($(stat -c %s "$db") / 4096 - 3))" conv=notrunc 2>/dev/null
wait_exit "a corrupted database ends the dashboard with status 1, the terminal restored" 1
screen_has "database disk image is malformed" && ok "and the error is printed after" ||
    not_ok "and the error is printed after" "$(screen_text)"
sim_stop

done_testing
