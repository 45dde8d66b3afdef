#!/bin/sh
# --litestream leaves checkpoints to Litestream: no checkpoint thread, no
# automatic checkpoint, and no TRUNCATE checkpoint at stop, so the WAL a
# replicating reader still needs is left as it is.  Without it the ingester
# stops with a truncated WAL.  A reader holds the database open meanwhile,
# as Litestream does (otherwise the last connection's close folds the WAL
# in and removes it whatever the setting).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

# hold DB: keeps a connection open on DB until release.
hold() {
    rm -f "$TMP/hold"
    mkfifo "$TMP/hold"
    sqlite3 "$1" < "$TMP/hold" > /dev/null &
    HOLD_PID=$!
    exec 3>"$TMP/hold"
    echo "SELECT count(*) FROM stream_state;" >&3
}
# The simulator and ingester inherit the FIFO's writing end too, so the
# reader is stopped rather than waiting for the end of its input.
release() { exec 3>&-; kill "$HOLD_PID"; wait "$HOLD_PID" 2>/dev/null; }
wal_bytes() { if [ -e "$1-wal" ]; then wc -c < "$1-wal"; else echo 0; fi; }

for mode in litestream own; do
    db="$TMP/$mode.db"
    : > "$TMP/ingest.log"
    "$STREAMTOP" migrate --db "$db" >/dev/null
    hold "$db"
    sim_start --rate 4000 --count 6000
    if [ "$mode" = litestream ]; then ingest_start "$db" --litestream; else ingest_start "$db"; fi
    wait_settled "$mode: the stream is stored" "$db"
    ingest_stop
    equals "$mode: the ingester stops cleanly" "$INGEST_RC" 0
    eval "wal_$mode=\$(wal_bytes \"\$db\")"
    eval "log_$mode=\$(cat \"\$TMP/ingest.log\")"
    release
    equals "$mode: the database is intact" "$(sql "$db" "PRAGMA integrity_check")" ok
done

check "with --litestream the WAL is left for Litestream ($wal_litestream bytes)" test "$wal_litestream" -gt 1000000
contains "and the log says who checkpoints" "$log_litestream" "event=checkpoints_left_to_litestream"
lacks "no checkpoint thread ran" "$log_litestream" "event=checkpoints passes="
equals "without it the ingester truncates the WAL at stop" "$wal_own" 0
contains "after its own checkpoints" "$log_own" "event=checkpoints passes="

done_testing
