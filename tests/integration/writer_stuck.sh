#!/bin/sh
# The writer under a write lock another process holds: retried events it
# could not take are taken once the lock is gone, on its own.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

pending() {
    sql "$1" "SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')"
}

# ---- a retry deferred by a lock is tried again once the lock is gone ----
db="$TMP/deferred.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
sim_start --rate 5000 --count 300 --faults garbage:100
ingest_start "$db"
wait_settled "the stream is stored, three invalid lines failed" "$db"
# What `retry --all-failed` commits, then at once the lock: the writer sees
# the retry and finds the database locked.
check "a retry is committed and the write lock taken at once" hold_lock "$db" \
    "UPDATE processing_queue SET status = 'pending', priority = 10 WHERE status = 'failed';"
check "the writer's look is deferred" wait_for 20 grep -q event=retry_deferred "$TMP/ingest.log"
equals "the retried events wait meanwhile" "$(pending "$db")" 3
release_lock
check "once the lock is gone, the retried events are taken within 5 s" wait_for 5 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')\") -eq 0 ]"
equals "each was tried again: invalid lines fail again" \
    "$(sql "$db" "SELECT count(*) FROM processing_queue WHERE status = 'failed' AND attempts = 2")" 3
ingest_stop
equals "the ingester exits 0" "$INGEST_RC" 0

done_testing
