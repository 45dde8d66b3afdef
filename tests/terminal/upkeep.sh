#!/bin/sh
# The Metrics pane's last lines on a screen with room for them: the
# database's size and free space, the last retention pass (when, and how
# many rows it removed; "never maintained" before the first), and with a
# backup directory configured the newest verified backup's age; beside
# the metrics on a wide but low screen (120x40).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

db="$TMP/upkeep.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
old=$(date -u -d '-40 days' +%Y-%m-%dT%H:%M:%S.000Z)
sql "$db" "INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
           VALUES ('company-profile:1', 'changed', '{}', 'processed', '$old'),
                  ('company-profile:2', 'changed', '{}', 'processed', '$old'),
                  ('company-profile:3', 'changed', '{}', 'processed', '$old');
           INSERT INTO stream_state (stream_type, last_timepoint) VALUES ('company-profile', 3);"

screen_start 200 60 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "before any pass the pane says so" "never maintained"
screen_has "db 2" && ok "with the database's size" || not_ok "with the database's size" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

"$STREAMTOP" maintain --db "$db" >/dev/null
screen_start 200 60 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "after a pass it says when and what it removed" "rows removed"
screen_has "maintained now, 2 rows removed" || screen_has "s ago, 2 rows removed" &&
    ok "two rows: the resume point's event stays" || not_ok "two rows: the resume point's event stays" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

mkdir "$TMP/backups"
screen_start 200 60 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25 --backup-dir '$TMP/backups'"
wait_screen "with a backup directory and none in it, it says so" "no verified backup"
keys q
wait_exit "q exits 0" 0
"$STREAMTOP" backup --db "$db" --to "$TMP/backups" >/dev/null
screen_start 200 60 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25 --backup-dir '$TMP/backups'"
wait_screen "and then the newest one's age" "backup verified "
keys q
wait_exit "q exits 0" 0

# 120x40: a low but wide band, so the upkeep stands beside the metrics,
# on the same lines as the first of them.
sql "$db" "INSERT INTO system_metrics (metric_name, metric_value, recorded_at)
           VALUES ('queue_depth', 2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25 --backup-dir '$TMP/backups'"
wait_screen "at 120x40 the last pass shows" "rows removed"
screen_has "db " && ok "and the database's size" || not_ok "and the database's size" "$(screen_text)"
screen_has "backup verified " && ok "and the newest backup" ||
    not_ok "and the newest backup" "$(screen_text)"
beside() { screen_text | grep -q "queue_depth .*db [0-9]"; }
beside && ok "beside the metrics, not instead of them" ||
    not_ok "beside the metrics, not instead of them" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

screen_start 80 24 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "at 80x24 the dashboard comes up" "Metrics"
screen_lacks "rows removed" && ok "and the metrics keep every line" ||
    not_ok "and the metrics keep every line" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

done_testing
