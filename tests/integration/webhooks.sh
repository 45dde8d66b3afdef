#!/bin/sh
# Webhooks end to end: a local receiver checks every signature, answers 500
# for a while (the retries are seen, with the same id), then recovers;
# disconnection, reconnection (across a kill -9 too), timepoint gaps
# (coalesced), failures and the
# stop each arrive; a kill -9 with deliveries pending loses none; a hook
# that keeps failing is deactivated.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need python3 jq

db="$TMP/hooks.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
. "$TESTS_SRCDIR/integration/webhook-lib.sh"
outbox() { sql "$db" "SELECT count(*) FROM webhook_outbox"; }
# A write beside a running ingester waits for the lock instead of failing.
sql_wait() { sqlite3 -batch -bail -cmd '.timeout 10000' "$1" "$2"; }

: >"$TMP/recv.log"
recv_start 0 3
expect_run "webhooks add with a secret file" 0 "$STREAMTOP" webhooks add "http://127.0.0.1:$RECV_PORT/hook" \
    --events all --secret-file "$TMP/secret" --db "$db"
hook=$OUT
equals "the secret is stored as given" "$(sql "$db" "SELECT secret FROM webhooks WHERE id = '$hook'")" "$(cat "$TMP/secret")"

hooks_ingest() {
    ingest_start "$db" --webhook-disconnect-after 1 --webhook-window 1 --webhook-backoff 0.2 --webhook-failures 2 "$@"
}
sim_start --rate 200 --faults gap:25,garbage:40 --heartbeat 0.2
sim_port=${SIM_URL#http://127.0.0.1:}; sim_port=${sim_port%%/*}
hooks_ingest
check "failures crossing the threshold are delivered" wait_for 30 seen '.type == "failures" and .status == 200'
check "timepoint gaps are delivered" wait_for 30 seen '.type == "timepoint_gap" and .status == 200'
check "the first answers were 500" test "$(received '.status == 500')" -eq 3
check "and each refused message came again with the same id, and was taken" wait_for 20 sh -c \
    "jq -r 'select(.status == 500) | .id' '$TMP/recv.log' | while read -r id; do
         jq -e -s --arg id \"\$id\" 'any(.[]; .id == \$id and .status == 200)' '$TMP/recv.log' >/dev/null || exit 1; done"
check "the hook's failure count went back to 0 on success" wait_for 10 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT failure_count FROM webhooks WHERE id = '$hook'\") -eq 0 ]"
check "last_triggered_at is kept" test -n "$(sql "$db" "SELECT last_triggered_at FROM webhooks WHERE id = '$hook'")"

sim_stop
check "a disconnection longer than the threshold is delivered" wait_for 30 seen '.type == "disconnected" and .status == 200'
sim_start --port "$sim_port" --rate 200 --heartbeat 0.2
check "and the reconnection" wait_for 30 seen '.type == "reconnected" and .status == 200'
equals "the outage is resolved in the database" "$(sql "$db" "SELECT count(*) FROM webhook_alerts")" 0

# An outage announced by one process is resolved by the next, however the
# first one stopped.
sim_stop
check "a second outage is delivered" wait_for 30 seen '.type == "disconnected" and .status == 200' 2
equals "and remembered" "$(sql "$db" "SELECT alert FROM webhook_alerts")" disconnected
ingest_stop KILL
sim_start --port "$sim_port" --rate 200 --heartbeat 0.2
hooks_ingest
check "the next ingester announces the reconnection" \
    wait_for 30 seen '.type == "reconnected" and .status == 200' 2
equals "and forgets the outage" "$(sql "$db" "SELECT count(*) FROM webhook_alerts")" 0
ingest_stop
check "a clean stop is delivered before exit" seen '.type == "ingester_stopped" and .status == 200'
equals "and the ingester exits 0" "$INGEST_RC" 0

gaps=$(sql "$db" "SELECT timepoint_gaps FROM stream_state")
check "there were many gaps" test "$gaps" -ge 4
check "coalesced: fewer messages than gaps" test "$(received '.type == "timepoint_gap" and .status == 200')" -lt "$gaps"
equals "whose counts add up to the gaps" \
    "$(jq -s '[.[] | select(.type == "timepoint_gap" and .status == 200) | .data.count] | add' "$TMP/recv.log")" "$gaps"
equals "every delivery carried a valid signature" "$(received '.valid != true or .fresh != true')" 0
equals "nothing is left in the outbox" "$(outbox)" 0

# kill -9 with deliveries pending: the receiver is down, so they wait.
recv_stop
: >"$TMP/recv.log"
sim_stop
hooks_ingest
check "with the receiver down, a delivery waits in the outbox" wait_for 30 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM webhook_outbox WHERE attempts > 0\") -ge 1 ]"
pending=$(sql "$db" "SELECT group_concat(msg_id) FROM webhook_outbox ORDER BY msg_id")
ingest_stop KILL
equals "after kill -9 it is still there" "$(sql "$db" "SELECT group_concat(msg_id) FROM webhook_outbox ORDER BY msg_id")" "$pending"
recv_start "$RECV_PORT" 0
sim_start --port "$sim_port" --rate 200 --heartbeat 0.2
hooks_ingest
check "the restarted ingester delivers it" wait_for 30 sh -c \
    "for id in \$(echo '$pending' | tr ',' ' '); do jq -e -s --arg id \"\$id\" 'any(.[]; .id == \$id and .status == 200)' '$TMP/recv.log' >/dev/null || exit 1; done"
check "and the outbox empties" wait_for 10 sh -c "[ \$(sqlite3 '$db' 'SELECT count(*) FROM webhook_outbox WHERE event <> \"ingester_stopped\"') -eq 0 ]"

# A hook that keeps failing is deactivated: a message on its last attempt.
"$STREAMTOP" webhooks add http://127.0.0.1:1/refused --events failures --db "$db" >"$TMP/dead" 2>/dev/null
dead=$(head -n 1 "$TMP/dead")
check "a message on its last attempt is queued for it" sql_wait "$db" "INSERT INTO webhook_outbox
    (webhook_id, msg_id, event, payload, created_at, attempts, next_attempt_at)
    VALUES ('$dead', 'msg_last', 'failures', '{}', '2026-01-01T00:00:00.000Z', 13, '2026-01-01T00:00:00.000Z')"
check "a hook failing its last attempt is deactivated" wait_for 30 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT is_active FROM webhooks WHERE id = '$dead'\") -eq 0 ]"
run "$STREAMTOP" webhooks list --db "$db"
contains "and listed as such" "$OUT" "$dead  deactivated"
equals "its deliveries are dropped" "$(sql "$db" "SELECT count(*) FROM webhook_outbox WHERE webhook_id = '$dead'")" 0
ingest_stop
check "the live hook still works" seen '.type == "ingester_stopped" and .status == 200'

# The commands.
expect_run "webhooks test delivers one signed message" 0 "$STREAMTOP" webhooks test "$hook" --db "$db"
check "which the receiver accepted" seen '.type == "test" and .valid == true and .status == 200'
expect_run "webhooks test on a refusing hook fails" 1 "$STREAMTOP" webhooks test "$dead" --db "$db"
expect_run "webhooks add without a secret file makes one" 0 "$STREAMTOP" webhooks add https://example.invalid/x --events disconnected,reconnected --db "$db"
check "and prints it once" sh -c "printf '%s\n' '$OUT' | sed -n 2p | grep -Eq '^whsec_[A-Za-z0-9+/]{43}=\$'"
expect_run "remove" 0 "$STREAMTOP" webhooks remove "$(printf '%s\n' "$OUT" | head -n 1)" --db "$db"
expect_run "an unknown event is a usage error" 2 "$STREAMTOP" webhooks add http://127.0.0.1:1/ --events reboot --db "$db"
expect_run "a URL that is not http is a usage error" 2 "$STREAMTOP" webhooks add ftp://x/ --events all --db "$db"
chmod 644 "$TMP/secret"
expect_run "a secret file others can read is refused" 2 "$STREAMTOP" webhooks add http://127.0.0.1:1/ --events all --secret-file "$TMP/secret" --db "$db"
expect_run "add needs --events" 2 "$STREAMTOP" webhooks add http://127.0.0.1:1/ --db "$db"
expect_run "removing an unknown hook fails" 1 "$STREAMTOP" webhooks remove wh_nothere --db "$db"
recv_stop
done_testing
