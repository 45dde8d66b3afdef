# The demo, driven as an operator would: all five panes appear and their
# numbers move; help and details open and close; the layout follows the
# terminal's size down to 80x24, says so when too small, and comes back;
# q exits 0, restores the terminal and removes the demo's database.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

screen_start 130 40 "'$STREAMTOP' demo --refresh 0.25"
for pane in Connection Throughput Failures Queue Metrics; do
    wait_screen "the demo shows the $pane pane" "$pane"
done
wait_screen "the header names the mode" "[demo]"
wait_screen "the stream connects to the simulator" "connected to 127.0.0.1"
has_received() { [ "$(screen_number received)" -gt 0 ] 2>/dev/null; }
received_moved() { [ "$(screen_number received)" -gt "$first" ] 2>/dev/null; }
wait_for 20 has_received
first=$(screen_number received)
if wait_for 20 received_moved; then
    ok "the received count moves (from $first)"
else
    not_ok "the received count moves" "$(screen_text)"
fi
wait_screen "failures from the demo's garbage lines are listed" "invalid:" 30
db=$(screen_text | sed -n 's/.*\[demo\] \(\/[^ ]*streamtop\.db\).*/\1/p' | head -n 1)
check "the demo's database is in a temporary directory" test -f "$db"

keys '?'
wait_screen "? opens the help" "show this help"
keys Escape
wait_gone "Esc closes the help" "show this help"

keys Enter
wait_screen "Enter opens the selected failure's details" "Error:"
screen_has "Queue      failed" && ok "the details show the queue row" || not_ok "the details show the queue row" "$(screen_text)"
keys Escape
wait_gone "Esc closes the details" "Error:"

equals "at 130 columns Queue sits beside Connection" "$(screen_line_of Queue)" \
    "$(screen_line_of Connection)"

queue_below_failures() { [ "$(screen_line_of Queue)" -gt "$(screen_line_of Failures)" ]; }
tm resize-window -t st -x 80 -y 24
if wait_for 10 queue_below_failures; then
    ok "at 80x24 Queue moves below Failures"
else
    not_ok "at 80x24 Queue moves below Failures" "$(screen_text)"
fi
for pane in Connection Throughput Failures Queue Metrics; do
    screen_has "$pane" && ok "at 80x24 the $pane pane is shown" || not_ok "at 80x24 the $pane pane is shown" "$(screen_text)"
done
keys '?'
wait_screen "help opens at 80x24" "show this help"
tm resize-window -t st -x 100 -y 30
wait_screen "help is laid out again after a resize" "show this help"
keys q
wait_gone "q closes the help, not the program" "show this help"

tm resize-window -t st -x 50 -y 15
wait_screen "a terminal too small says so" "terminal too small"
tm resize-window -t st -x 130 -y 40
wait_gone "enlarged again, the panes come back" "terminal too small"
wait_screen "the panes are drawn again" "Metrics"

keys q
wait_exit "q exits 0 and restores the terminal" 0
check "the demo's temporary database is removed" test ! -e "$db"
done_testing
