#!/bin/sh
# `restore` never replaces a database another process has open: not under
# a live ingester (with --force or without: the ingester would go on
# writing into the replaced file and lose every later write), and not
# under a read-only dashboard, whose lock-free view takes no SQLite lock.
# Once they are gone the restore goes through.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need jq

db="$TMP/live.db"
dir="$TMP/backups"
mkdir "$dir"
some_stored() { [ "$(stored_events "$db" 2>/dev/null || echo 0)" -gt 300 ]; }
more_stored() { [ "$(stored_events "$db" 2>/dev/null || echo 0)" -gt "$1" ]; }

sim_start --rate 300 --count 20000
ingest_start "$db"
check "events are being stored" wait_for 20 some_stored
expect_run "a backup is made while the ingester writes" 0 "$STREAMTOP" backup --db "$db" --to "$dir"
file=$(ls "$dir"/streamtop-*.db)
inode=$(stat -c %i "$db")

expect_run "restore refuses while the ingester runs" 1 "$STREAMTOP" restore --from "$file" --db "$db"
contains "naming the process" "$ERR" "is open in process $INGEST_PID"
expect_run "and with --force too" 1 "$STREAMTOP" restore --from "$file" --db "$db" --force
contains "saying so" "$ERR" "is open in process $INGEST_PID"
contains "and that nothing changed" "$ERR" "nothing was restored"
equals "the file is the ingester's still" "$(stat -c %i "$db")" "$inode"
check "its WAL is in place" test -e "$db-wal" -a -e "$db-shm"
n=$(stored_events "$db")
check "and the ingester's writes still land in it" wait_for 20 more_stored "$n"
ingest_stop
sim_stop

# A quiet database (no frames in its WAL) is viewed lock-free (immutable).
screen_start 120 40 "'$STREAMTOP' --read-only --db '$db' --refresh 0.25"
wait_screen "a read-only dashboard shows it" "[read-only]"
before=$(checksum "$db")
expect_run "restore refuses while the dashboard has it open" 1 \
    "$STREAMTOP" restore --from "$file" --db "$db"
contains "saying which process" "$ERR" "is open in process $(streamtop_pid)"
expect_run "--force does not change that" 1 "$STREAMTOP" restore --from "$file" --db "$db" --force
equals "the database is untouched" "$(checksum "$db")" "$before"
keys q
wait_exit "the dashboard quits" 0

expect_run "with nobody left the backup is restored" 0 "$STREAMTOP" restore --from "$file" --db "$db"
equals "intact" "$(sql "$db" "PRAGMA integrity_check")" ok

done_testing
