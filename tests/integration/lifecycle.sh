#!/bin/sh
# The connection's life: stalls, a rejected key, a timepoint too old, rate
# limiting without Retry-After; one ingester per stream; signals; the key.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

state() { sql "$1" "SELECT state FROM stream_state"; }
state_is() { [ "$(state "$1")" = "$2" ]; }
# backoff_seconds DB: how long the recorded wait before the next attempt is.
backoff_seconds() {
    sql "$1" "SELECT CAST(round((julianday(next_attempt_at) - julianday(state_since)) * 86400) AS INTEGER) FROM stream_state"
}

# ---- a silent connection is dropped and resumed ----
db="$TMP/stall.db"
sim_start --rate 5000 --count 900 --faults stall:300 --heartbeat 30
ingest_start "$db" --stall-timeout 1
wait_settled "stall: the run settles despite three stalls" "$db" 30
ingest_stop
equals "stall: the simulator stalled twice" "$(faults_seen stall)" 3
check_exactly_once "stall" "$db"
equals "stall: reconnects resume from the last whole event" "$(resume_mismatches)" ""
contains "the client names itself in User-Agent" "$(grep -m1 event=request "$TMP/sim.log")" \
    "agent=\"streamtop/$("$STREAMTOP" --version | sed -n 's/^streamtop //p')"
contains "stall: the log says why it reconnected" "$(cat "$TMP/ingest.log")" "no data, not even a heartbeat, for 1 s"

# Heartbeats keep a quiet connection alive: no stall while they come.
db="$TMP/quiet.db"
: >"$TMP/ingest.log"
sim_start --rate 1000 --count 10 --heartbeat 0.2
ingest_start "$db" --stall-timeout 1
wait_settled "heartbeat: the events arrive" "$db"
wait_for 10 sh -c "[ \$(grep -c 'event=request' '$TMP/sim.log') -eq 1 ] && [ -n \"\$(sqlite3 '$db' 'SELECT last_heartbeat_at FROM stream_state WHERE julianday(last_heartbeat_at) > julianday(last_event_at) + 1.5 / 86400')\" ]"
equals "heartbeat: 1.5 s of heartbeats only, still the first connection" \
    "$(grep -c 'event=request' "$TMP/sim.log")" 1
ingest_stop

# ---- a rejected key: an error, and minutes before the next try ----
db="$TMP/key.db"
: >"$TMP/ingest.log"
STREAMTOP_STREAM_KEY=right-key sim_start --count 10
STREAMTOP_STREAM_KEY=wrong-key ingest_start "$db"
check "401: the state becomes error" wait_for 10 state_is "$db" error
equals "401: last_error says the key was rejected" \
    "$(sql "$db" "SELECT last_error LIKE '%stream key rejected%' FROM stream_metadata")" 1
equals "401: connection_status is error" "$(sql "$db" "SELECT connection_status FROM stream_metadata")" error
check "401: the next attempt is minutes away" test "$(backoff_seconds "$db")" -ge 120
lacks "401: the key is in no error" "$(sql "$db" "SELECT last_error FROM stream_metadata") $(cat "$TMP/ingest.log")" wrong-key
ingest_stop

# ---- 429 without Retry-After waits at least a minute ----
db="$TMP/429.db"
sim_start --count 10 --faults 429:1,retry-after:none
ingest_start "$db"
check "429: the state becomes backoff" wait_for 10 state_is "$db" backoff
check "429: without Retry-After the wait is at least a minute" test "$(backoff_seconds "$db")" -ge 60
ingest_stop

# ---- 416: the resume point is too old; the gap is recorded ----
db="$TMP/gap.db"
: >"$TMP/ingest.log"
"$STREAMTOP" migrate --db "$db" >/dev/null
sql "$db" "INSERT INTO stream_state (stream_type, last_timepoint) VALUES ('company-profile', 5)"
sim_start --rate 200 --count 400
ingest_start "$db"
wait_for 10 grep -q event=plan "$TMP/sim.log"
check "416: the stream restarts from now and runs to its end" wait_for 30 sh -c \
    "[ \"\$(sqlite3 '$db' \"SELECT last_timepoint FROM stream_state\")\" = $(plan_value last_timepoint) ]"
check "416: the events before the restart were missed" test "$(stored_events "$db")" -lt 400
check "416: the old timepoint was asked for and refused" grep -q 'event=request .*timepoint=5 .*answer=416' "$TMP/sim.log"
check "416: then the stream started from now" grep -q 'event=request .*timepoint=none .*answer=200' "$TMP/sim.log"
contains "416: last_error records the gap" "$(sql "$db" "SELECT last_error FROM stream_metadata")" "416"
check "416: the gap is counted" test "$(sql "$db" "SELECT timepoint_gaps FROM stream_state")" -ge 1
check "416: and becomes a metric" wait_for 15 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM system_metrics WHERE metric_name = 'timepoint_gaps' AND metric_value > 0\") -ge 1 ]"

# ---- one ingester per stream ----
run "$STREAMTOP" ingest --db "$db" --url "$SIM_URL"
equals "lease: a second ingester is refused" "$RC" 1
contains "lease: naming the running one" "$ERR" "pid $INGEST_PID on $(hostname)"
kill -9 "$INGEST_PID"; wait "$INGEST_PID" 2>/dev/null; INGEST_PID=
check "kill -9: the row still says it holds the stream" test "$(state "$db")" != disconnected
contains "kill -9: status knows its process is gone: disconnected" \
    "$("$STREAMTOP" status --db "$db")" "connection  disconnected"
ingest_start "$db"
check "lease: a vanished one is taken over" wait_for 10 sh -c \
    "[ \"\$(sqlite3 '$db' 'SELECT ingester_pid FROM stream_state')\" = $INGEST_PID ]"
ingest_stop
equals "lease: a clean stop releases the stream" "$(sql "$db" "SELECT ingester_pid IS NULL FROM stream_state")" 1
sql "$db" "UPDATE stream_state SET ingester_pid = 1, ingester_host = 'elsewhere',
               ingester_started_at = strftime('%Y-%m-%dT%H:%M:%fZ'), ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ')"
run "$STREAMTOP" ingest --db "$db" --url "$SIM_URL"
equals "lease: one on another host seen just now is respected" "$RC" 1
contains "lease: and named" "$ERR" "pid 1 on elsewhere"
sql "$db" "UPDATE stream_state SET ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes')"
ingest_start "$db"
check "lease: one not seen for minutes is taken over" wait_for 10 sh -c \
    "[ \"\$(sqlite3 '$db' 'SELECT ingester_pid FROM stream_state')\" = $INGEST_PID ]"

# ---- signals ----
ingest_stop INT
equals "SIGINT: exit 0" "$INGEST_RC" 0
log="$TMP/ingest-file.log"
"$STREAMTOP" ingest --db "$db" --url "$SIM_URL" --log-file "$log" 2>"$TMP/stderr" &
INGEST_PID=$!
check "--log-file: logs go to the file" wait_for 10 grep -q event=connected "$log"
mv "$log" "$log.1"
kill -HUP "$INGEST_PID"
check "SIGHUP: the log file is reopened" wait_for 10 grep -q event=log_reopened "$log"
check "SIGHUP: the ingester keeps running" kill -0 "$INGEST_PID"
ingest_stop TERM
equals "SIGTERM: exit 0" "$INGEST_RC" 0
equals "nothing went to stderr" "$(cat "$TMP/stderr")" ""
contains "the stop is logged in the new file" "$(cat "$log")" event=ingester_stopped

# ---- a long --batch-ms holds events back, never the state or the lease ----
db="$TMP/longbatch.db"
sim_start --rate 20 --heartbeat 0.5
ingest_start "$db" --batch-ms 60000
check "long batches: the connection is shown at once, not with the batch" wait_for 10 state_is "$db" connected
check "long batches: events are committed with each 5-s sample, not a minute later" \
    wait_for 12 sh -c "[ \$(sqlite3 '$db' 'SELECT events_received FROM stream_state') -gt 0 ]"
run "$STREAMTOP" status --db "$db"
equals "long batches: status is healthy" "$RC" 0
ingest_stop
equals "long batches: a stop commits the open batch and exits 0" "$INGEST_RC" 0

# ---- the stream key ----
unset STREAMTOP_STREAM_KEY
run "$STREAMTOP" ingest --db "$db" --url "$SIM_URL"
equals "no key: exit 2" "$RC" 2
contains "no key: says where a key comes from" "$ERR" STREAMTOP_STREAM_KEY
printf 'file-key\n' >"$TMP/key"
chmod 644 "$TMP/key"
run "$STREAMTOP" ingest --db "$db" --url "$SIM_URL" --stream-key-file "$TMP/key"
equals "a key file others can read: exit 2" "$RC" 2
contains "and says why" "$ERR" "group or others have access to it (mode 0644)"
chmod 600 "$TMP/key"
STREAMTOP_STREAM_KEY=file-key sim_start --rate 5000 --count 20
"$STREAMTOP" ingest --db "$TMP/keyfile.db" --url "$SIM_URL" --stream-key-file "$TMP/key" 2>>"$TMP/ingest.log" &
INGEST_PID=$!
wait_settled "a 0600 key file is used" "$TMP/keyfile.db"
ingest_stop

done_testing
