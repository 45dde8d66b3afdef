# Company names carrying escape sequences (set the window title, turn text
# red, ring the bell, reverse the text direction) are shown as visible
# placeholders: the terminal's title and colours never change.  Without a
# UTF-8 locale the text is ASCII.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

db="$TMP/hostile.db"
sim_start --count 40 --rate 2000 --faults hostile:1,garbage:4
ingest_start "$db"
wait_settled "events with hostile names are stored" "$db"
ingest_stop
check "the names really hold escape sequences" \
    test "$(sql "$db" "SELECT count(*) FROM companies WHERE instr(company_name, char(27)) > 0")" -gt 0

# Fail two of those events, one with an error message that is hostile
# too, so hostile text reaches the list, the details and the footer.
sql "$db" "UPDATE stream_events_log SET processing_status = 'failed',
             error_message = 'bad ' || char(27) || ']2;OWNED' || char(7) || char(27) || '[41mRED'
           WHERE id IN (SELECT l.id FROM stream_events_log l JOIN companies c USING (company_number)
                        WHERE instr(c.company_name, char(27)) > 0 ORDER BY l.id DESC LIMIT 2)"

screen_start 140 40 "'$STREAMTOP' --read-only --no-color --db '$db'"
tm select-pane -t st -T streamtop-test-title
wait_screen "the failures list shows company names" "company-profile:"
wait_screen "escape characters in names are shown as placeholders" "^[]0;PWN"
wait_screen "and in errors" "bad ^[]2;OWNED^G"
keys j Enter
wait_screen "the details show the whole name, made visible" "^[]0;PWNED^G^[[31mEVIL^[[0m <U+202E>DTL"
wait_screen "and the whole error" "bad ^[]2;OWNED^G^[[41mRED"
equals "the terminal's title is unchanged" "$(tm display-message -p -t st '#{pane_title}')" streamtop-test-title
# With --no-color streamtop sets attributes only; a colour in the pane
# could only have come from the stream.  (39 and 49 are tmux's way of
# saying "the default colours".)
colours=$(tm capture-pane -p -e -t st | grep -cE $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m' || true)
equals "no colour reached the terminal" "$colours" 0
lacks "the screen never shows the raw name" "$(screen_text)" "EVIL DTL"
keys Escape q
wait_exit "q exits 0" 0

# A terminal without UTF-8 gets ASCII: other characters become '?', and
# the placeholders are the same.
sql "$db" "UPDATE stream_events_log SET processing_status = 'failed', error_message = 'caf' || char(233) || ' '
           WHERE id = (SELECT max(id) FROM stream_events_log WHERE processing_status = 'processed')"
screen_start 140 40 "LC_ALL=C '$STREAMTOP' --read-only --db '$db'"
wait_screen "in the C locale non-ASCII text is shown as '?'" "caf? "
wait_screen "and escape sequences still as placeholders" "^[]0;PWN"
keys q
wait_exit "q exits 0 (C locale)" 0
done_testing
