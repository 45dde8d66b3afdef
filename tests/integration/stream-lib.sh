# Helpers for tests that run `streamtop ingest` against `streamtop simulate`
# over loopback.  Source after lib.sh.
#
# The simulator logs what it does (requests, faults, and for a --count run
# a `plan` line saying how many events and invalid lines it will send in
# all); these helpers check the database against those logs.

need sqlite3 awk

export STREAMTOP_STREAM_KEY=test-stream-key
SIM_PID=
INGEST_PID=
LOCKER_PID=
at_exit 'sim_stop; [ -n "$INGEST_PID" ] && kill -9 "$INGEST_PID" 2>/dev/null'
at_exit '[ -n "$LOCKER_PID" ] && kill "$LOCKER_PID" 2>/dev/null'

# sim_start ARGS...: starts a simulator on a free port; sets SIM_URL.
sim_start() {
    sim_stop
    : >"$TMP/sim.log"
    "$STREAMTOP" simulate --port 0 "$@" >"$TMP/sim.out" 2>"$TMP/sim.log" &
    SIM_PID=$!
    if ! wait_for 10 grep -q 'listening on' "$TMP/sim.out"; then
        not_ok "the simulator starts" "$(cat "$TMP/sim.log")"
        done_testing
        exit 1
    fi
    SIM_URL=$(sed -n 's/.*listening on //p' "$TMP/sim.out")
}

sim_stop() {
    [ -n "$SIM_PID" ] || return 0
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=
}

# ingest_start DB ARGS...: starts the headless ingester on SIM_URL, logging
# to $TMP/ingest.log (appended across restarts).
ingest_start() {
    _db=$1; shift
    "$STREAMTOP" ingest --db "$_db" --url "$SIM_URL" "$@" 2>>"$TMP/ingest.log" &
    INGEST_PID=$!
}

# ingest_stop [SIGNAL]: stops it and sets INGEST_RC to its exit status.
ingest_stop() {
    kill "-${1:-TERM}" "$INGEST_PID" 2>/dev/null
    wait "$INGEST_PID" && INGEST_RC=0 || INGEST_RC=$?
    INGEST_PID=
}

# plan_value KEY: a value from the simulator's plan line.
plan_value() {
    sed -n "s/.* event=plan .*$1=\([0-9]*\).*/\1/p" "$TMP/sim.log" | head -n 1
}

stored_events() {
    sql "$1" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'company-profile:%'"
}

stored_invalid() {
    sql "$1" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'invalid:%'"
}

# settled DB: everything the plan announced is stored and nothing is pending.
settled() {
    [ -n "$(plan_value events)" ] &&
    [ "$(stored_events "$1")" -eq "$(plan_value events)" ] &&
    [ "$(stored_invalid "$1")" -eq "$(plan_value invalid_lines)" ] &&
    [ "$(sql "$1" "SELECT count(*) FROM stream_events_log WHERE processing_status IN ('pending', 'processing')")" -eq 0 ]
}

# wait_settled DESCRIPTION DB [SECONDS]
wait_settled() {
    if wait_for "${3:-60}" settled "$2"; then
        ok "$1"
    else
        not_ok "$1" "plan: $(grep 'event=plan' "$TMP/sim.log")" \
            "stored events $(stored_events "$2"), invalid $(stored_invalid "$2")" \
            "$(tail -n 5 "$TMP/ingest.log")"
    fi
}

# check_exactly_once PREFIX DB: every planned event once, no other event,
# every invalid line once and failed, every event processed.
check_exactly_once() {
    _db=$2
    equals "$1: every event stored" "$(stored_events "$_db")" "$(plan_value events)"
    equals "$1: no event twice" \
        "$(sql "$_db" "SELECT count(*) - count(DISTINCT event_id) FROM stream_events_log")" 0
    equals "$1: from the first timepoint to the last" \
        "$(sql "$_db" "SELECT min(CAST(substr(event_id, 17) AS INTEGER)) || ' ' || max(CAST(substr(event_id, 17) AS INTEGER))
                      FROM stream_events_log WHERE event_id LIKE 'company-profile:%'")" \
        "$(plan_value first_timepoint) $(plan_value last_timepoint)"
    equals "$1: failures are exactly the invalid lines sent" \
        "$(sql "$_db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'")" \
        "$(plan_value invalid_lines)"
    equals "$1: every failure is an invalid line" \
        "$(sql "$_db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND event_id NOT LIKE 'invalid:%'")" 0
    equals "$1: every event is processed" \
        "$(sql "$_db" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'company-profile:%' AND processing_status <> 'processed'")" 0
    equals "$1: each failure is queued once for an operator" \
        "$(sql "$_db" "SELECT count(*), count(DISTINCT event_log_id) FROM processing_queue WHERE status = 'failed'" | tr '|' ' ')" \
        "$(plan_value invalid_lines) $(plan_value invalid_lines)"
}

# resume_mismatches: after each drop or stall, the next request must ask for
# the last event the simulator sent whole (that event included, so nothing
# is lost), or, if none went out whole, for what the dropped one asked.
# Prints one line per request that asked for something else.
resume_mismatches() {
    awk '
        function field(name,   i) {
            for (i = 1; i <= NF; i++) if (index($i, name "=") == 1) return substr($i, length(name) + 2)
            return ""
        }
        /event=request/ {
            tp = field("timepoint")
            if (want != "" && tp != want) print "connection " field("connection") " asked for " tp ", wanted " want
            want = ""
            asked[field("connection")] = tp
        }
        /event=fault/ && (/kind=drop/ || /kind=stall/) {
            last = field("last_whole_timepoint")
            want = last >= 0 ? last : asked[field("connection")]
        }' "$TMP/sim.log"
}

# faults_seen KIND: how many times the simulator injected that fault.
faults_seen() {
    grep -c "event=fault kind=$1 " "$TMP/sim.log" || true
}

# answers_seen STATUS: how many requests the simulator answered with STATUS.
answers_seen() {
    grep -c "event=request .*answer=$1\$" "$TMP/sim.log" || true
}

# hold_lock DB [SQL]: an sqlite3 shell, fed through a FIFO, commits SQL if
# given, takes DB's write lock, and keeps it until release_lock.  The
# shell waits out a commit of the ingester's that holds the lock at that
# moment (its own busy timeout is 0: BEGIN would fail, and no lock held).
hold_lock() {
    rm -f "$TMP/locker" "$TMP/locker.out"
    mkfifo "$TMP/locker"
    sqlite3 "$1" <"$TMP/locker" >"$TMP/locker.out" 2>&1 &
    LOCKER_PID=$!
    exec 7>"$TMP/locker"
    echo ".timeout 10000" >&7
    echo "${2:-} BEGIN IMMEDIATE; SELECT 'held';" >&7
    wait_for 10 grep -q held "$TMP/locker.out"
}

# .quit rather than end of input: processes started since hold the FIFO too.
release_lock() {
    printf 'ROLLBACK;\n.quit\n' >&7
    exec 7>&-
    wait "$LOCKER_PID"
    LOCKER_PID=
}
