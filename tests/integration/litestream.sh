#!/bin/sh
# Point-in-time recovery with the real Litestream: replicate while the
# ingester (with --litestream) stores a stream from the simulator, restore
# to a moment in the middle, and check the copy: intact, exactly a prefix of
# the stream up to its resume point, and ingesting from it finishes the
# stream with every event once.  The configuration is the one in
# data/litestream/litestream.yml with its file replica pointed here.
# Skipped when Litestream is not installed (`make litestream`).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need jq

LS=${LITESTREAM:-$TESTS_SRCDIR/../.litestream/node_modules/@flydotio/litestream-linux-x64/litestream}
[ -x "$LS" ] || LS=$(command -v litestream || true)
if [ -z "$LS" ] || ! "$LS" version >/dev/null 2>&1; then
    echo "1..0 # SKIP Litestream is not installed (make litestream)"
    exit 0
fi
echo "# $("$LS" version)"

db="$TMP/live.db"
replica="$TMP/replica"
cfg="$TMP/litestream.yml"
# The shipped configuration, with the file replica here and no S3 replica.
awk -v db="$db" -v replica="$replica" '
    /- type: s3/ { skip = 1 }
    skip { next }
    /^  - path:/ { print "  - path: " db; next }
    /^        path:/ { print "        path: " replica; next }
    { print }' "$TESTS_SRCDIR/../data/litestream/litestream.yml" > "$cfg"
check "the configuration names the database and the replica" grep -q "path: $replica" "$cfg"

"$STREAMTOP" migrate --db "$db" >/dev/null
"$LS" replicate -config "$cfg" >"$TMP/litestream.log" 2>&1 &
LS_PID=$!
at_exit 'kill "$LS_PID" 2>/dev/null'
replicating() { [ -n "$(ls "$replica/generations" 2>/dev/null)" ]; }
check "Litestream starts replicating" wait_for 20 replicating

sim_start --rate 1000 --count 9000 --faults garbage:400
ingest_start "$db" --litestream
stored_over() { [ "$(stored_events "$db" 2>/dev/null || echo 0)" -gt "$1" ]; }
check "events are being stored" wait_for 30 stored_over 3000
# The moment to go back to: the replica must have caught up with something
# before it, and the stream goes on after it.
check "and shipped" wait_for 10 sh -c "ls '$replica'/generations/*/wal/* >/dev/null 2>&1"
moment=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
stored_at_moment=$(stored_events "$db")
wal_peak=0
settled_watching_wal() {
    _w=$(wc -c < "$db-wal" 2>/dev/null || echo 0)
    [ "$_w" -gt "$wal_peak" ] && wal_peak=$_w
    settled "$db"
}
if wait_for 60 settled_watching_wal; then ok "the live database settles"; else not_ok "the live database settles"; fi
echo "# WAL during the catch-up with Litestream checkpointing: peak $wal_peak bytes seen"
ingest_stop
check_exactly_once "live" "$db"
kill "$LS_PID"
wait "$LS_PID" 2>/dev/null

restored="$TMP/restored.db"
run "$LS" restore -o "$restored" -timestamp "$moment" "file://$replica"
equals "Litestream restores to the moment" "$RC" 0
equals "the restored database is intact" "$(sql "$restored" "PRAGMA integrity_check")" ok
resume=$(sql "$restored" "SELECT last_timepoint FROM stream_state")
first=$(plan_value first_timepoint)
equals "it holds exactly a prefix of the stream, up to its resume point" \
    "$(sql "$restored" "SELECT count(*) || ' ' || min(CAST(substr(event_id, 17) AS INTEGER)) || ' ' ||
                              max(CAST(substr(event_id, 17) AS INTEGER)) FROM stream_events_log
                        WHERE event_id LIKE 'company-profile:%'")" \
    "$(( resume - first + 1 )) $first $resume"
check "from the middle of the stream ($((resume - first + 1)) of $(plan_value events) events)" \
    test "$resume" -gt "$first" -a "$resume" -lt "$(plan_value last_timepoint)"
check "no later than the moment ($stored_at_moment stored then)" \
    test "$((resume - first + 1))" -le "$stored_at_moment"
expect_run "streamtop accepts the restored database" 0 "$STREAMTOP" migrate --db "$restored"

ingest_start "$restored"
wait_settled "ingesting from the restored copy finishes the stream" "$restored"
ingest_stop
check_exactly_once "restored" "$restored"

done_testing
