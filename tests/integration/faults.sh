#!/bin/sh
# Each fault the simulator can inject, alone: afterwards every event it sent
# is stored exactly once and processed, the invalid lines are exactly the
# failures, and every reconnect resumed from the right timepoint.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

# early_retries: requests that came sooner after a 429 or 503 than its
# Retry-After (the simulator sends 1 second) allowed.
early_retries() {
    awk '
        function ms(ts,   t) { t = substr(ts, 12, 12); return ((substr(t, 1, 2) * 60 + substr(t, 4, 2)) * 60 + substr(t, 7)) * 1000 }
        /event=request/ {
            now = ms($1)
            if (limited != "" && now - limited < 1000) print "retried after " now - limited " ms"
            limited = /answer=(429|503)$/ ? now : ""
        }' "$TMP/sim.log"
}

# fault_run NAME SPEC COUNT: one ingester against one simulator run.
fault_run() {
    _name=$1 _spec=$2 _count=$3
    _db="$TMP/$_name.db"
    : >"$TMP/ingest.log"
    sim_start --rate 20000 --count "$_count" --faults "$_spec"
    ingest_start "$_db" --batch-ms 50
    wait_settled "$_name: the run settles" "$_db"
    ingest_stop TERM
    equals "$_name: the ingester exits 0 on SIGTERM" "$INGEST_RC" 0
    check_exactly_once "$_name" "$_db"
    equals "$_name: reconnects resume from the last whole event" "$(resume_mismatches)" ""
    sim_stop
}

fault_run drop "drop:250" 1000
equals "drop: the connection was dropped mid-line" "$(faults_seen drop)" 4
equals "drop: the partial lines left no failure behind" \
    "$(sql "$TMP/drop.db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed'")" 0

fault_run garbage "garbage:40" 800
equals "garbage: 20 invalid lines were sent" "$(plan_value invalid_lines)" 20
equals "garbage: each failure keeps a readable error" \
    "$(sql "$TMP/garbage.db" "SELECT count(*) FROM stream_events_log WHERE processing_status = 'failed' AND length(error_message) > 10")" 20
equals "garbage: the stray bytes are kept as sent" \
    "$(sql "$TMP/garbage.db" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'invalid:%' AND instr(CAST(event_data AS BLOB), x'fffe') > 0")" 4

fault_run oversize "oversize:300" 700
equals "oversize: two lines over the cap were sent" "$(plan_value invalid_lines)" 2
equals "oversize: each keeps its first 64 KiB, as documented" \
    "$(sql "$TMP/oversize.db" "SELECT group_concat(DISTINCT length(CAST(event_data AS BLOB))) FROM stream_events_log WHERE event_id LIKE 'invalid:%'")" 65536
contains "oversize: the error says why" \
    "$(sql "$TMP/oversize.db" "SELECT error_message FROM stream_events_log WHERE event_id LIKE 'invalid:%' LIMIT 1")" "longer than"

fault_run gap "gap:25" 600
equals "gap: the gaps are counted" \
    "$(sql "$TMP/gap.db" "SELECT timepoint_gaps FROM stream_state")" 24

fault_run hostile "hostile:7" 300
equals "hostile: escape sequences are stored as data" \
    "$(sql "$TMP/hostile.db" "SELECT count(*) > 0 FROM companies WHERE instr(company_name, char(27)) > 0")" 1

fault_run 503 "503:2,drop:300,retry-after:1" 900
check "503: the server answered 503" test "$(answers_seen 503)" -ge 1
equals "503: Retry-After was honoured" "$(early_retries)" ""

fault_run 429 "429:2,drop:300,retry-after:1" 900
check "429: the server answered 429" test "$(answers_seen 429)" -ge 1
equals "429: Retry-After was honoured" "$(early_retries)" ""
check "429: the reconnects are counted" \
    test "$(sql "$TMP/429.db" "SELECT reconnects FROM stream_state")" -ge 3

fault_run mixed "drop:333,garbage:61,oversize:700,gap:37,hostile:13,503:3,429:5,retry-after:1" 2000
check "mixed: several faults were injected" test "$(faults_seen drop)" -ge 5
equals "mixed: Retry-After was honoured" "$(early_retries)" ""

done_testing
