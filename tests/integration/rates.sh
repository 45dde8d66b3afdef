#!/bin/sh
# The figures `status` (and so the dashboard) shows for "now", from the
# ingester's counters: non-zero within seconds of events flowing, within
# half of the true rate, near zero within seconds of the stream going
# quiet or the ingester stopping; and "caught up" once a heartbeat follows
# the newest event.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need jq

RATE=400
# status_field DB JQ: one figure from `status --json`.
status_field() { "$STREAMTOP" status --db "$1" --json 2>/dev/null | jq -r "$2"; }
# rate_between DB LOW HIGH: the rate now is within [LOW, HIGH].
rate_between() {
    _r=$(status_field "$1" .throughput.rate_now)
    awk -v r="$_r" -v lo="$2" -v hi="$3" 'BEGIN { exit !(r >= lo && r <= hi) }'
}
stored_some() { [ "$(sql "$1" "SELECT coalesce(max(events_received), 0) FROM stream_state")" -gt 0 ]; }

# ---- a steady stream, then a quiet one ----
db="$TMP/flow.db"
sim_start --rate "$RATE" --count $((RATE * 12)) --heartbeat 0.5
ingest_start "$db"
wait_for 10 stored_some "$db" || not_ok "events are stored" "$(tail -n 5 "$TMP/ingest.log")"
start=$(now_ms)
if wait_for 5 rate_between "$db" 1 1000000; then
    ok "the rate now is non-zero within seconds of events flowing"
else
    not_ok "the rate now is non-zero within seconds of events flowing" \
        "rate_now $(status_field "$db" .throughput.rate_now)"
fi
took=$(( $(now_ms) - start ))
check "within 2.5 s of the first stored event (took ${took} ms)" test "$took" -le 2500
lo=$((RATE / 2)); hi=$((RATE * 3 / 2))
if wait_for 4 rate_between "$db" "$lo" "$hi"; then
    ok "and within half of the true rate"
else
    not_ok "and within half of the true rate" "rate_now $(status_field "$db" .throughput.rate_now), true $RATE/s"
fi
check "the next reading too" sh -c "$STREAMTOP status --db '$db' --json | jq -e '.throughput.rate_now >= $lo and .throughput.rate_now <= $hi'"
check "the drain rate is measured the same way" sh -c \
    "$STREAMTOP status --db '$db' --json | jq -e '.queue.drain_rate >= $lo and .queue.drain_rate <= $hi'"

wait_settled "the whole count arrives" "$db" 30
if wait_for 6 rate_between "$db" 0 $((RATE / 20)); then
    ok "the rate falls near zero within seconds of the stream going quiet"
else
    not_ok "the rate falls near zero within seconds of the stream going quiet" \
        "rate_now $(status_field "$db" .throughput.rate_now)"
fi
caught_up() { [ "$(status_field "$1" .connection.caught_up)" = true ]; }
if wait_for 5 caught_up "$db"; then
    ok "a heartbeat after the last event: caught up"
else
    not_ok "a heartbeat after the last event: caught up" "$("$STREAMTOP" status --db "$db")"
fi
equals "no lag grows on a quiet stream" "$(status_field "$db" .connection.lag_seconds)" 0
run "$STREAMTOP" status --db "$db"
contains "the summary says so" "$OUT" "caught up"
ingest_stop
sim_stop

# ---- an ingester killed mid-flow does not keep its last rate ----
db="$TMP/killed.db"
sim_start --rate "$RATE"
ingest_start "$db"
wait_for 10 rate_between "$db" "$lo" "$hi" || not_ok "flowing before the kill" \
    "rate_now $(status_field "$db" .throughput.rate_now)"
ingest_stop KILL
if wait_for 6 rate_between "$db" 0 0; then
    ok "after kill -9 the rate falls to zero within seconds"
else
    not_ok "after kill -9 the rate falls to zero within seconds" \
        "rate_now $(status_field "$db" .throughput.rate_now)"
fi

# ---- and one stopped cleanly shows none at once ----
ingest_start "$db"
wait_for 10 rate_between "$db" "$lo" "$hi" || not_ok "flowing again" \
    "rate_now $(status_field "$db" .throughput.rate_now)"
ingest_stop
equals "a stopped ingester leaves no rate behind" "$(status_field "$db" .throughput.rate_now)" 0
equals "nor a buffer it no longer holds" "$(status_field "$db" .queue.buffered)" null
sim_stop

done_testing
