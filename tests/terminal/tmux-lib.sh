# Helpers for terminal tests: the real binary in a detached tmux session of
# a chosen size, on a private tmux server, driven with send-keys and read
# with capture-pane.  Source after lib.sh (and stream-lib.sh when a
# simulator is needed).
#
# The command runs under sh; its exit status is written to $TMP/exit when
# it ends, and the pane stays open so the terminal's state after exit can
# be inspected.

need tmux

export LC_ALL=C.UTF-8 TERM=tmux-256color
SCREENS=0
TMUX_SOCKET="streamtop-test-$$-0"
at_exit 'tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null'

tm() {
    tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
}

# screen_start COLS ROWS COMMAND: a fresh server and session running COMMAND.
# Each gets a server of its own: a server being killed may still answer
# on its socket for a moment.
screen_start() {
    rm -f "$TMP/exit"
    tm kill-server 2>/dev/null
    SCREENS=$((SCREENS + 1))
    TMUX_SOCKET="streamtop-test-$$-$SCREENS"
    tm new-session -d -s st -x "$1" -y "$2" "$3; echo \$? > '$TMP/exit'; exec sleep 600"
    tm set-option -t st remain-on-exit on >/dev/null
}

screen_text() {
    tm capture-pane -p -t st
}

screen_has() {
    screen_text | grep -qF -- "$1"
}

screen_lacks() {
    ! screen_text | grep -qF -- "$1"
}

keys() {
    tm send-keys -t st "$@"
}

# wait_screen DESCRIPTION TEXT [SECONDS]: passes once the screen shows TEXT.
wait_screen() {
    if wait_for "${3:-20}" screen_has "$2"; then
        ok "$1"
    else
        not_ok "$1" "'$2' never appeared; the screen:" "$(screen_text)"
    fi
}

# wait_gone DESCRIPTION TEXT [SECONDS]: passes once TEXT has left the screen.
wait_gone() {
    if wait_for "${3:-20}" screen_lacks "$2"; then
        ok "$1"
    else
        not_ok "$1" "'$2' is still there:" "$(screen_text)"
    fi
}

exited() {
    [ -s "$TMP/exit" ]
}

# wait_exit DESCRIPTION STATUS: the command ended with STATUS, and left
# the terminal as it found it: main screen, cursor shown, keypad reset.
wait_exit() {
    if ! wait_for 30 exited; then
        not_ok "$1" "still running; the screen:" "$(screen_text)"
        return
    fi
    _state=$(tm display-message -p -t st '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag}')
    if [ "$(cat "$TMP/exit")" = "$2" ] && [ "$_state" = "0 1 0" ]; then
        ok "$1"
    else
        not_ok "$1" "exit status $(cat "$TMP/exit"), wanted $2" \
            "alternate screen, cursor, keypad: $_state (wanted 0 1 0)" "$(screen_text)"
    fi
}

# streamtop_pid: the pid of streamtop running in the session.
streamtop_pid() {
    pgrep -P "$(tm display-message -p -t st '#{pane_pid}')" -f streamtop | head -n 1
}

# screen_line_of TEXT: the first screen line (1-based) showing TEXT.
screen_line_of() {
    screen_text | grep -nF -- "$1" | head -n 1 | cut -d: -f1
}

# screen_number LABEL: the number shown after LABEL ("received 1,234" -> 1234).
screen_number() {
    screen_text | sed -n "s/.*$1 \([0-9][0-9,]*\).*/\1/p" | head -n 1 | tr -d ,
}

# add_failures FROM TO [ERROR]: failed events company-profile:FROM..TO in
# $db, received and processed now, each with a queue row; the error is
# ERROR, or "boom N" apart for each.
add_failures() {
    error=$(printf '%s' "${3:-}" | sed "s/'/''/g")
    sql "$db" "WITH RECURSIVE k(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM k WHERE i < $2)
        INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status,
            error_message, received_at, processed_at)
        SELECT 'company-profile:' || i, 'changed', '{}', 'failed',
            CASE WHEN '$error' = '' THEN 'boom ' || i ELSE '$error' END,
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM k;
        INSERT INTO processing_queue (event_log_id, status, attempts, created_at, updated_at)
        SELECT id, 'failed', 1, received_at, received_at FROM stream_events_log
        WHERE id NOT IN (SELECT event_log_id FROM processing_queue);" >/dev/null
}
