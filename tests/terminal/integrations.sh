#!/bin/sh
# The Connection pane's line for the HTTP API's last hour and the webhooks'
# delivery health, from a prepared database; absent when there is neither.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

db="$TMP/integrations.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
iso() { date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%S.000Z; }
sql "$db" "UPDATE stream_metadata SET connection_status = 'connected';
    INSERT INTO stream_state (stream_type, state, state_since, connected_since, last_event_at,
        last_heartbeat_at, last_timepoint, last_published_at, events_received)
    VALUES ('company-profile', 'connected', '$(iso 3600)', '$(iso 3600)', '$(iso 600)',
            '$(iso 20)', 7, '$(iso 600)', 7);"

screen_start 80 24 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "the dashboard is up" "lag caught up"
screen_lacks "hooks" && ok "no line without hooks or requests" || not_ok "no line without hooks or requests" "$(screen_text)"
keys q
wait_exit "q exits 0" 0

sql "$db" "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us) VALUES
        ('$(iso 60)', 'stk_1', 'GET', '/metrics', 200, 10), ('$(iso 30)', 'stk_1', 'GET', '/metrics', 429, 10),
        ('$(iso 10)', NULL, 'GET', '/x', 401, 10);
    INSERT INTO webhooks (id, url, events, secret, is_active, failure_count) VALUES
        ('wh_a', 'http://a/', '[]', 'whsec_x', 1, 0), ('wh_b', 'http://b/', '[]', 'whsec_x', 1, 3),
        ('wh_c', 'http://c/', '[]', 'whsec_x', 0, 14);
    INSERT INTO webhook_outbox (webhook_id, msg_id, event, payload, created_at, next_attempt_at) VALUES
        ('wh_b', 'msg_1', 'failures', '{}', '$(iso 5)', '$(iso 5)');"
screen_start 80 24 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "at 80x24 the Connection pane shows the hooks' delivery health" "hooks 2, 1 pending, 1 failing, 1 off"
keys q
wait_exit "q exits 0 again" 0
screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "taller, the hooks" "hooks 2, 1 pending, 1 failing, 1 off"
wait_screen "and the API's requests this hour" "api 3 req/h, 2 refused"
keys q
wait_exit "q exits 0 once more" 0

done_testing
