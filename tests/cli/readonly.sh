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

# A crash copy: the database and its WAL, holding commits not checkpointed,
# copied while the writer ran, without the -shm.  Reading the WAL would
# need a -shm created; showing the file without it would be wrong.
cp "$db" "$TMP/copy.db"
cp "$db-wal" "$TMP/copy.db-wal"
copy_before=$(checksum "$TMP/copy.db")
expect_run "a copy with a WAL but no -shm is refused" 1 "$STREAMTOP" status --db "$TMP/copy.db"
contains "saying why" "$ERR" "its -wal file holds commits that are not in the database file, and there is no -shm file beside it"
contains "and how to fold them in" "$ERR" "PRAGMA wal_checkpoint(TRUNCATE)"
lacks "not as a database that is not migrated" "$ERR$OUT" "not migrated"
check "no -shm was created" test ! -e "$TMP/copy.db-shm"
equals "the copy's bytes are unchanged" "$(checksum "$TMP/copy.db")" "$copy_before"
sql "$TMP/copy.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
rm -f "$TMP/copy.db-wal" "$TMP/copy.db-shm"
run "$STREAMTOP" status --db "$TMP/copy.db" --json
contains "folded in, the copy shows the last commit" "$OUT" '"last_event_id":"company-profile:42"'

done_testing
