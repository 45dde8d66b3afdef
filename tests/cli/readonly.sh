#!/bin/sh
# Read-only means read-only: status never changes the database file's bytes,
# never creates a file beside it, and reads what a live writer has
# committed to its WAL without disturbing that writer.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3

db="$TMP/ro.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
before=$(checksum "$db")
run "$STREAMTOP" status --db "$db"
equals "status on a closed database leaves its bytes alone" "$(checksum "$db")" "$before"
check "and creates no -wal file" test ! -e "$db-wal"
check "and no -shm file" test ! -e "$db-shm"
chmod 444 "$db"
expect_run "a read-only file can be watched" 1 "$STREAMTOP" status --db "$db"
contains "(it is read, not refused)" "$OUT" "never connected"
chmod 644 "$db"

# A writer that stays connected, fed through a FIFO.
mkfifo "$TMP/writer.in"
sqlite3 "$db" < "$TMP/writer.in" > "$TMP/writer.out" 2>&1 &
writer=$!
exec 3> "$TMP/writer.in"
at_exit "exec 3>&-; kill $writer 2>/dev/null"
echo "PRAGMA wal_autocheckpoint = 0;
      UPDATE stream_metadata SET last_event_id = 'company-profile:41';
      SELECT 'written';" >&3
wait_for 10 grep -q written "$TMP/writer.out"
check "the writer committed" grep -q written "$TMP/writer.out"

before=$(checksum "$db")
wal_before=$(stat -c %s "$db-wal")
run "$STREAMTOP" status --db "$db" --json
contains "status sees the writer's uncheckpointed commit" "$OUT" '"last_event_id":"company-profile:41"'
equals "the database file is unchanged" "$(checksum "$db")" "$before"
equals "the WAL did not grow because of us" "$(stat -c %s "$db-wal")" "$wal_before"

echo "UPDATE stream_metadata SET last_event_id = 'company-profile:42'; SELECT 'again';" >&3
wait_for 10 grep -q again "$TMP/writer.out"
check "the writer keeps working while watched" grep -q again "$TMP/writer.out"
run "$STREAMTOP" status --db "$db" --json
contains "and status follows it" "$OUT" '"last_event_id":"company-profile:42"'

done_testing
