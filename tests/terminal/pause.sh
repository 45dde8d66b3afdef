# Paused means frozen: while p holds the screen, only what keys move (the
# failures list) changes, even as the demo keeps ingesting; the header says
# for how long, and p again brings the figures up to date.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

screen_start 100 30 "'$STREAMTOP' demo --refresh 0.25"
has_received() { [ "$(screen_number received)" -gt 0 ] 2>/dev/null; }
wait_for 20 has_received || bail "the demo never received anything"
wait_screen "failures are listed" "invalid:" 30

# Everything but the header (clock), the failures pane and the footer.
frozen_part() {
    screen_text | awk -v f="$(screen_line_of Failures)" -v q="$(screen_line_of Queue)" \
        'NR > 1 && (NR < f || (NR >= q && NR < 30))'
}
keys p
wait_screen "p pauses, and the header says since when" "[paused 1s]"
before=$(frozen_part)
received=$(screen_number received)
keys G g j k
wait_screen "time passes while paused" "[paused 3s]"
moved() { [ "$(sql "$(screen_text | sed -n 's/.*\[paused [^]]*\] \(\/[^ ]*streamtop\.db\).*/\1/p' | head -n 1)" \
    "SELECT count(*) FROM stream_events_log")" -gt "$received" ] 2>/dev/null; }
check "the demo went on storing events meanwhile" wait_for 10 moved
equals "the panes did not change while paused, keys pressed or not" "$(frozen_part)" "$before"
keys p
wait_gone "p resumes" "[paused"
more() { [ "$(screen_number received)" -gt "$received" ] 2>/dev/null; }
check "and the figures catch up" wait_for 10 more
keys q
wait_exit "q exits 0" 0
done_testing
