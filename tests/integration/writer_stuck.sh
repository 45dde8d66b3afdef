#!/bin/sh
# The writer under a write lock another process holds: `status` and the
# Connection pane say it is stuck within 30 s, SIGTERM still ends it within 10 s, and retried events
# it could not take are taken once the lock is gone, on its own.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"

pending() {
    sql "$1" "SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')"
}

healthy() { "$STREAMTOP" status --db "$1" >/dev/null; }
unhealthy() { ! healthy "$1"; }

# ---- a writer stuck on a lock makes status unhealthy, saying why ----
db="$TMP/stuck.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
sim_start --rate 5000 --count 300
ingest_start "$db"
wait_settled "the stream is stored" "$db"
check "status is healthy" wait_for 10 healthy "$db"
screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "the Connection pane shows the ingester" "ingester pid $INGEST_PID on"
check "another process takes the write lock" hold_lock "$db"
last_commit=$(sql "$db" "SELECT CAST(round((julianday(ingester_seen_at) - 2440587.5) * 86400000) AS INTEGER) FROM stream_state")
wait_screen "the Connection pane says the writer is stuck" \
    "ingester stuck, last commit" 30
check "status is unhealthy within 30 s" wait_for 30 unhealthy "$db"
silent=$(( $(now_ms) - last_commit ))
check "  that is, after 20 s without a commit (${silent} ms)" test "$silent" -ge 20000
run "$STREAMTOP" status --db "$db"
contains "status says the ingester runs but does not commit" "$OUT" \
    "unhealthy   the ingester (pid $INGEST_PID) runs but has not committed for"
contains "and who holds the lock" "$OUT" "process $LOCKER_PID (sqlite3) holds the database's write lock"
wait_screen "the pane names the lock's holder" "write lock held by pid $LOCKER_PID (sqlite3)"
keys q
wait_exit "the read-only view exits 0" 0
screen_start 120 40 "'$STREAMTOP' --no-ingest --db '$db' --refresh 0.25"
wait_screen "attached, the header says the ingester is stuck, not absent" \
    "the ingester is stuck: retries wait until it commits again"
release_lock
check "once the lock is gone, status is healthy again within 10 s" wait_for 10 healthy "$db"
wait_gone "and the pane no longer says stuck" "ingester stuck" 10
wait_gone "nor names a lock holder" "write lock held by" 10
keys q

# ---- SIGTERM while every commit fails: out within 10 s ----
: >"$TMP/ingest.log"
check "the write lock is taken again" hold_lock "$db"
# Two failures: the stop then comes as the writer begins a busy wait.
check "commits have failed twice since" wait_for 25 sh -c \
    "[ \$(grep -c event=batch_retry '$TMP/ingest.log') -ge 2 ]"
asked=$(date +%s)
ingest_stop TERM
equals "SIGTERM while commits fail: exit 0" "$INGEST_RC" 0
check "SIGTERM while commits fail: gone within 10 s" test $(( $(date +%s) - asked )) -le 10
release_lock
ingest_start "$db"
check "a restart takes the stream again" wait_for 20 healthy "$db"
ingest_stop
check_exactly_once "after a stop under a lock" "$db"

# ---- a retry deferred by a lock is tried again once the lock is gone ----
db="$TMP/deferred.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
# Heartbeats a minute apart, and the lock taken right after the writer's
# metric sample (every 5 s), so that its next look at the queue, within
# half a second, comes before anything else it commits: otherwise that
# commit meets the lock first and the writer waits in it instead of
# deferring the retry.
sim_start --rate 5000 --count 300 --faults garbage:100 --heartbeat 60
ingest_start "$db"
wait_settled "the stream is stored, three invalid lines failed" "$db"
sampled_at() { sql "$db" "SELECT max(recorded_at) FROM system_metrics"; }
last_sample=$(sampled_at)
new_sample() { [ "$(sampled_at)" != "$last_sample" ]; }
check "the writer takes a metric sample" wait_for 10 new_sample
# What `retry --all-failed` commits, then at once the lock: the writer sees
# the retry and finds the database locked.
check "a retry is committed and the write lock taken at once" hold_lock "$db" \
    "UPDATE processing_queue SET status = 'pending', priority = 10 WHERE status = 'failed';"
# Almost always the look is deferred; on a loaded machine a commit of the
# writer's own may still meet the lock first, and then waits in its retry
# loop.  Either way nothing may be taken before the lock goes, and all of
# it within seconds after, with no other connection committing.
if wait_for 20 grep -Eq 'event=(retry_deferred|batch_retry)' "$TMP/ingest.log"; then
    ok "the writer meets the lock and waits"
    grep -q event=retry_deferred "$TMP/ingest.log" || echo "# (a commit met the lock before the look)"
else
    not_ok "the writer meets the lock and waits" "$(tail -n 12 "$TMP/ingest.log")"
fi
equals "the retried events wait meanwhile" "$(pending "$db")" 3
release_lock
check "once the lock is gone, the retried events are taken within 5 s" wait_for 5 sh -c \
    "[ \$(sqlite3 '$db' \"SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')\") -eq 0 ]"
equals "each was tried again: invalid lines fail again" \
    "$(sql "$db" "SELECT count(*) FROM processing_queue WHERE status = 'failed' AND attempts = 2")" 3
ingest_stop
equals "the ingester exits 0" "$INGEST_RC" 0

done_testing
