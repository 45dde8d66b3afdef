#!/bin/sh
# What the Connection, Queue and Metrics panes say, from a prepared
# database: "caught up" instead of a lag, the backlog received but not yet
# stored, metrics in name order with human numbers, units and "per 5s",
# tags only on request, and scrolling that stops at the last metric.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

db="$TMP/figures.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
iso() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%S.000Z; }
metrics=
for i in 01 02 03 04 05 06 07 08 09 10; do
    metrics="$metrics ('m$i', 'm$i', $i, NULL, '$(iso 2)'),"
done
sql "$db" "UPDATE stream_metadata SET connection_status = 'connected';
    INSERT INTO stream_state (stream_type, state, state_since, connected_since, last_event_at,
        last_heartbeat_at, last_timepoint, last_published_at, events_received)
    VALUES ('company-profile', 'connected', '$(iso 3600)', '$(iso 3600)', '$(iso 600)',
            '$(iso 20)', 7, '$(iso 600)', 7);
    INSERT INTO stream_rate_points VALUES ('company-profile', 0, '$(iso 1)', 7, 7, 0);
    INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at) VALUES
        $metrics
        ('c', 'cpu_custom', 17399.6, '{\"host\":\"a\"}', '$(iso 2)'),
        ('r', 'events_received', 10430, '{\"interval_ms\":5000}', '$(iso 2)');"

screen_start 80 24 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "a quiet stream after a heartbeat is caught up" "lag caught up"
screen_has "received, not stored 0" && ok "the Queue pane shows what waits in memory" ||
    not_ok "the Queue pane shows what waits in memory" "$(screen_text)"
screen_has "draining" && ok "and the drain rate" || not_ok "and the drain rate" "$(screen_text)"
wait_screen "metrics read as people read them" "17.4k"
screen_lacks "17399" && ok "not 17399.60" || not_ok "not 17399.60" "$(screen_text)"
wait_screen "an interval's amount says its unit and interval" "10.4k events per 5s"
first=$(screen_line_of cpu_custom)
second=$(screen_line_of events_received)
check "in name order" test "$first" -lt "$second"
wait_screen "the pane says which metrics it shows" "1-3 of 12"

keys Tab Tab
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do keys j; done
wait_screen "Down stops at the last metric" "10-12 of 12"
keys k
wait_screen "Up moves at once after that" "9-11 of 12"
screen_has "t:tags" && ok "the footer offers the tags key" || not_ok "the footer offers the tags key" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

screen_start 200 60 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "the wide screen shows the metrics" "cpu_custom"
screen_lacks '"host":"a"' && ok "tags are not shown unasked" || not_ok "tags are not shown unasked" "$(screen_text)"
keys 5 t
wait_screen "t shows them" '"host":"a"'
keys t
wait_gone "t hides them again" '"host":"a"'
keys q
wait_exit "q exits 0 again" 0

done_testing
