#!/bin/sh
# `streamtop backup`, `backup --verify` and `restore` end to end: a verified
# copy with its manifest, exactly what is wrong with a damaged one, a
# corrupt one never restored, a held database not replaced unless told,
# rotation, clear errors for a bad directory, and `status` judging the
# newest backup's age.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3 jq

db="$TMP/live.db"
dir="$TMP/backups"
mkdir "$dir"
"$STREAMTOP" migrate --db "$db" >/dev/null
sql "$db" "INSERT INTO stream_state (stream_type, last_timepoint) VALUES ('company-profile', 41);
           INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, received_at)
           VALUES ('company-profile:41', 'changed', '{}', 'processed', '2026-11-30T12:00:00.000Z');"

expect_run "a backup succeeds" 0 "$STREAMTOP" backup --db "$db" --to "$dir"
file=$(ls "$dir"/streamtop-*.db)
contains "it names the file" "$OUT" "$file"
contains "and what was checked" "$OUT" "resume point 41, integrity ok, sha256"
check "a manifest is beside it" test -s "$file.manifest.json"
equals "the manifest holds the facts" \
    "$(jq -r '"\(.integrity_check) \(.resume_point) \(.tables.stream_events_log) \(.sha256 | length)"' "$file.manifest.json")" \
    "ok 41 1 64"
equals "its checksum is the file's" "$(jq -r .sha256 "$file.manifest.json")" "$(sha256sum "$file" | cut -d' ' -f1)"
equals "no temporary file is left" "$(ls -A "$dir" | grep -c tmp)" 0

expect_run "--verify passes a good backup" 0 "$STREAMTOP" backup --verify "$file"
contains "and says so" "$OUT" "good"

cp "$file" "$TMP/damaged.db"
cp "$file.manifest.json" "$TMP/damaged.db.manifest.json"
printf 'x' | dd of="$TMP/damaged.db" bs=1 seek=8000 conv=notrunc 2>/dev/null
expect_run "--verify fails a damaged backup" 1 "$STREAMTOP" backup --verify "$TMP/damaged.db"
contains "saying what differs" "$ERR" "sha256: the manifest says"
lacks "a damaged file of the right size: its size is not named" "$ERR" "bytes:"
cp "$file" "$TMP/truncated.db"
cp "$file.manifest.json" "$TMP/truncated.db.manifest.json"
truncate -s 8192 "$TMP/truncated.db"
expect_run "--verify fails a truncated backup" 1 "$STREAMTOP" backup --verify "$TMP/truncated.db"
contains "naming its size" "$ERR" "bytes: the manifest says $(stat -c %s "$file"), the file has 8192"

sql "$db" "UPDATE stream_state SET last_timepoint = 99"
before=$(checksum "$db")
expect_run "a damaged backup is not restored" 1 "$STREAMTOP" restore --from "$TMP/damaged.db" --db "$db"
contains "saying so" "$ERR" "nothing was restored"
equals "the database is untouched" "$(checksum "$db")" "$before"

sleep 60 &
holder=$!
at_exit "kill $holder 2>/dev/null"
sql "$db" "UPDATE stream_state SET ingester_pid = $holder, ingester_host = '$(hostname)',
           ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
before=$(checksum "$db")
expect_run "a database an ingester holds is not replaced" 1 "$STREAMTOP" restore --from "$file" --db "$db"
contains "saying how to go on" "$ERR" "is held by a running ingester (pid $holder on this host); stop it first"
expect_run "nor with --force while its process lives" 1 "$STREAMTOP" restore --from "$file" --db "$db" --force
contains "saying --force does not override it" "$ERR" "--force never replaces a database a live process holds"
equals "the database is untouched" "$(checksum "$db")" "$before"
sql "$db" "UPDATE stream_state SET ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')"
expect_run "a live pid not seen for a day, without the file open, is not replaced" 1 \
    "$STREAMTOP" restore --from "$file" --db "$db"
contains "saying it may be a reused pid" "$ERR" \
    "which runs but does not have the database open; if it is not its ingester (a pid reused), restore with --force"
lacks "and says 'ago' once" "$ERR" "ago ago"
expect_run "which --force overrides" 0 "$STREAMTOP" restore --from "$file" --db "$db" --force
sql "$db" "UPDATE stream_state SET ingester_pid = $holder, ingester_host = '$(hostname)',
           ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
before=$(checksum "$db")
sql "$db" "UPDATE stream_state SET ingester_host = 'elsewhere.example'"
expect_run "another host's live lease is not replaced" 1 "$STREAMTOP" restore --from "$file" --db "$db" --force
contains "saying so" "$ERR" "is held by an ingester on elsewhere.example (pid $holder), last seen"
sql "$db" "UPDATE stream_state SET ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 minutes')"
expect_run "nor its stale lease without --force" 1 "$STREAMTOP" restore --from "$file" --db "$db"
contains "saying how to go on" "$ERR" "if it is gone, restore with --force"
expect_run "which --force overrides" 0 "$STREAMTOP" restore --from "$file" --db "$db" --force
sql "$db" "UPDATE stream_state SET last_timepoint = 99, ingester_pid = $holder, ingester_host = '$(hostname)',
           ingester_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
kill "$holder"
wait "$holder" 2>/dev/null
expect_run "once it is gone the backup is restored" 0 "$STREAMTOP" restore --from "$file" --db "$db"
equals "with its resume point" "$(sql "$db" "SELECT last_timepoint FROM stream_state")" 41
equals "intact" "$(sql "$db" "PRAGMA integrity_check")" ok
equals "and owned by no ingester" "$(sql "$db" "SELECT coalesce(ingester_pid, 'none') FROM stream_state")" none
expect_run "restore into a new path works too" 0 "$STREAMTOP" restore --from "$file" --db "$TMP/new.db"
printf 'not a database at all, just text\n%.0s' $(seq 200) >"$TMP/junk.db"
expect_run "a file that is no database is not replaced unasked" 1 "$STREAMTOP" restore --from "$file" --db "$TMP/junk.db"
contains "saying how to replace it" "$ERR" "if nothing needs it, replace it with --force"
expect_run "which --force does" 0 "$STREAMTOP" restore --from "$file" --db "$TMP/junk.db" --force
equals "and the backup is in its place" "$(sql "$TMP/junk.db" "SELECT last_timepoint FROM stream_state")" 41
expect_run "restore without --from is bad usage" 2 "$STREAMTOP" restore --db "$db"
expect_run "backup without a directory is bad usage" 2 "$STREAMTOP" backup --db "$db"

expect_run "a missing backup directory is an error" 1 "$STREAMTOP" backup --db "$db" --to "$TMP/nowhere"
contains "naming it" "$ERR" "backup directory $TMP/nowhere: No such file or directory"
: > "$TMP/plain"
expect_run "so is a file" 1 "$STREAMTOP" backup --db "$db" --to "$TMP/plain"
contains "saying so" "$ERR" "is not a directory"
if [ "$(id -u)" != 0 ]; then
    mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
    expect_run "and a read-only one" 1 "$STREAMTOP" backup --db "$db" --to "$TMP/ro"
    contains "saying so" "$ERR" "is not writable"
fi
# A disk that fills up during the copy: a file size limit makes every
# write past it fail, as a full disk does.
sql "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
           INSERT INTO search_cache (id, query_hash, query_text, results, expires_at)
           SELECT 'c' || i, 'h' || i, 'q', hex(randomblob(500)), '2999-01-01' FROM n"
mkdir "$TMP/full"
before=$(checksum "$db")
run sh -c "trap '' XFSZ; ulimit -f 1000; exec '$STREAMTOP' backup --db '$db' --to '$TMP/full'"
equals "a backup that runs out of space fails" "$RC" 1
contains "and says nothing was made" "$ERR" "no backup was made (the database is unchanged)"
equals "leaving nothing behind" "$(ls -A "$TMP/full")" ""
equals "and the database as it was" "$(checksum "$db")" "$before"

expect_run "a missing database is an error" 1 "$STREAMTOP" backup --db "$TMP/none.db" --to "$dir"
check "and not created" test ! -e "$TMP/none.db"

# Rotation: ten days of older backups (copies under older names), then one
# more: the newest of 7 days and 4 weeks stay.
for d in 1 2 3 4 5 6 7 8 9 10 20 30; do
    name="streamtop-$(date -u -d "-$d days" +%Y%m%dT%H%M%S).000Z.db"
    cp "$file" "$dir/$name"
    cp "$file.manifest.json" "$dir/$name.manifest.json"
done
rm "$file" "$file.manifest.json"
run "$STREAMTOP" backup --db "$db" --to "$dir" --backup-keep-daily 3 --backup-keep-weekly 2
equals "a backup with rotation succeeds" "$RC" 0
kept=$(ls "$dir"/streamtop-*.db | wc -l)
check "rotation keeps 3 days and up to 2 weeks ($kept kept)" test "$kept" -ge 3 -a "$kept" -le 5
contains "and says what it removed" "$OUT" "rotated out: streamtop-"
equals "no manifest is left without its backup" \
    "$(ls "$dir" | grep -c manifest)" "$kept"

run "$STREAMTOP" status --db "$db" --backup-dir "$dir" --json
equals "status reports the newest backup" "$(jq -r '.backup.newest_at != null' "$TMP/.out")" true
lacks "and no backup problem" "$(jq -r '.problems[]' "$TMP/.out")" "backup"
run "$STREAMTOP" status --db "$db" --backup-dir "$dir" --backup-max-age 1
contains "status shows it" "$OUT" "newest verified"
old="$TMP/old"
mkdir "$old"
name="streamtop-$(date -u -d '-2 days' +%Y%m%dT%H%M%S).000Z.db"
some=$(ls "$dir" | grep -v manifest | head -n 1)
cp "$dir/$some" "$old/$name"
cp "$dir/$some.manifest.json" "$old/$name.manifest.json"
expect_run "status is unhealthy past the maximum age" 1 "$STREAMTOP" status --db "$db" --backup-dir "$old"
contains "saying why" "$OUT" "the newest verified backup is 2d"
run "$STREAMTOP" status --db "$db" --backup-dir "$TMP/empty-$$"
contains "a directory that cannot be read is a problem" "$OUT" "backup directory $TMP/empty-$$"

# Backups hold webhook secrets and key hashes: private whatever the umask.
perms="$TMP/perms"
mkdir "$perms"
run sh -c "umask 022; exec '$STREAMTOP' backup --db '$db' --to '$perms'"
equals "a backup under umask 022 succeeds" "$RC" 0
pfile=$(ls "$perms"/streamtop-*.db)
equals "its file is owner-only" "$(stat -c %a "$pfile")" 600
equals "and so is its manifest" "$(stat -c %a "$pfile.manifest.json")" 600
run sh -c "umask 022; exec '$STREAMTOP' restore --from '$pfile' --db '$TMP/fresh.db'"
equals "a restore to a new path under umask 022 succeeds" "$RC" 0
equals "and makes it owner-only" "$(stat -c %a "$TMP/fresh.db")" 600
chmod 640 "$TMP/fresh.db"
run sh -c "umask 077; exec '$STREAMTOP' restore --from '$pfile' --db '$TMP/fresh.db'"
equals "a restore over an existing database succeeds" "$RC" 0
equals "and keeps its mode" "$(stat -c %a "$TMP/fresh.db")" 640
equals "and its -wal and -shm follow it" \
    "$(printf 'PRAGMA journal_mode = WAL;\nSELECT count(*) FROM stream_state;\n.shell stat -c %%a %s-wal %s-shm\n' \
        "$TMP/fresh.db" "$TMP/fresh.db" | (umask 022; sqlite3 "$TMP/fresh.db") | tail -n 2 | tr '\n' ' ')" "640 640 "

# Root restoring a service's database gives the file to the service's user:
# the replaced file's owner, or a new file's directory's.
if [ "$(id -u)" -eq 0 ]; then
    chown 65534:65534 "$TMP/fresh.db"
    expect_run "root restores over a service's database" 0 "$STREAMTOP" restore --from "$pfile" --db "$TMP/fresh.db"
    equals "which stays the service's" "$(stat -c %u:%g "$TMP/fresh.db")" 65534:65534
    mkdir "$TMP/state"
    chown 65534:65534 "$TMP/state"
    expect_run "root restores into a service's empty state directory" 0 \
        "$STREAMTOP" restore --from "$pfile" --db "$TMP/state/streamtop.db"
    equals "and the new file is the directory owner's" "$(stat -c %u:%g "$TMP/state/streamtop.db")" 65534:65534
    chown 0:0 "$TMP/fresh.db"
    chmod 666 "$TMP/fresh.db"    # root's, though another user may write it
    chown 65534:65534 "$TMP" "$pfile" "$pfile.manifest.json"
    expect_run "a user cannot give a restore away" 1 \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$STREAMTOP" restore --from "$pfile" --db "$TMP/fresh.db"
    contains "and says so" "$ERR" "cannot give the restored file to uid 0 gid 0"
    chown 0:0 "$TMP" "$pfile" "$pfile.manifest.json"
else
    ok "ownership on restore # SKIP needs root"
fi

# One directory, two databases: each one's rotation and age judge its own.
shared="$TMP/shared"
mkdir "$shared"
"$STREAMTOP" migrate --db "$TMP/a.db" >/dev/null
"$STREAMTOP" migrate --db "$TMP/b.db" >/dev/null
expect_run "a.db is backed up" 0 "$STREAMTOP" backup --db "$TMP/a.db" --to "$shared"
afile=$(ls "$shared"/streamtop-*.db)
equals "its manifest names it by its canonical path" "$(jq -r .source "$afile.manifest.json")" \
    "$(realpath "$TMP/a.db")"
expect_run "then b.db into the same directory, keeping one a day" 0 \
    "$STREAMTOP" backup --db "$TMP/b.db" --to "$shared" --backup-keep-daily 1 --backup-keep-weekly 1
check "a.db's only backup is still there" test -e "$afile" -a -e "$afile.manifest.json"
lacks "nothing was rotated out" "$OUT" "rotated out"
bfile=$(ls "$shared"/streamtop-*.db | grep -v "$afile")
rm "$afile" "$afile.manifest.json"
run "$STREAMTOP" status --db "$TMP/a.db" --backup-dir "$shared" --json
equals "status for a.db does not take b.db's backup for its own" \
    "$(jq -r '.backup.newest_at' "$TMP/.out")" null
contains "and says it has none" "$(jq -r '.problems[]' "$TMP/.out")" "backup"
run "$STREAMTOP" status --db "$TMP/./b.db" --backup-dir "$shared" --json
equals "b.db, however it is named, finds its own" "$(jq -r '.backup.newest_at != null' "$TMP/.out")" true

# A backup killed mid-copy leaves its temporary files; the next one
# removes them (their writer's pid is in the name, and it is gone), and
# status mentions them meanwhile.  One whose writer lives is left alone.
killed="$TMP/killed"
mkdir "$killed"
sql "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
           INSERT INTO search_cache (id, query_hash, query_text, results, expires_at)
           SELECT 'k' || i, 'kh' || i, 'q', hex(randomblob(1000)), '2999-01-01' FROM n"
stopped_mid_copy() {
    "$STREAMTOP" backup --db "$db" --to "$killed" >/dev/null 2>&1 &
    victim=$!
    while kill -0 "$victim" 2>/dev/null && ! ls -A "$killed" | grep -q '^\.streamtop-.*\.tmp$'; do :; done
    kill -STOP "$victim" 2>/dev/null
    if ls -A "$killed" | grep -q '^\.streamtop-.*\.tmp$'; then
        kill -KILL "$victim"
        wait "$victim" 2>/dev/null
        return 0
    fi
    kill -KILL "$victim" 2>/dev/null
    wait "$victim" 2>/dev/null
    rm -f "$killed"/*
    return 1
}
tries=0
until stopped_mid_copy || [ $tries -ge 5 ]; do tries=$((tries + 1)); done
equals "a backup killed (-9) mid-copy leaves its temporary file" \
    "$(ls -A "$killed" | grep -c '^\.streamtop-.*\.db\.[0-9]*\.tmp$')" 1
sleep 60 &
alive=$!
at_exit "kill $alive 2>/dev/null"
: > "$killed/.streamtop-20261207T030000.000Z.db.$alive.tmp"
run "$STREAMTOP" status --db "$db" --backup-dir "$killed"
contains "status mentions the leftovers" "$OUT" "leftover temporary file"
dead=$(ls -A "$killed" | grep '^\.streamtop-.*\.db\.[0-9]*\.tmp$' | grep -v "\.$alive\.tmp\$")
[ -e "$killed/$dead-journal" ] || : >"$killed/$dead-journal"
equals "and counts the interrupted backup once in JSON, its -journal with it" \
    "$("$STREAMTOP" status --db "$db" --backup-dir "$killed" --json | jq .backup.leftover_temp_files)" 1
expect_run "the next backup succeeds" 0 "$STREAMTOP" backup --db "$db" --to "$killed"
equals "and removes the dead one's files, keeping a live writer's" \
    "$(ls -A "$killed" | grep '^\.')" ".streamtop-20261207T030000.000Z.db.$alive.tmp"
run "$STREAMTOP" status --db "$db" --backup-dir "$killed"
lacks "status has nothing to mention any more" "$OUT" "leftover"
kill "$alive"

# status judges the file, not only its manifest: a newer backup overwritten
# with junk, or dated in the future, is not the newest verified one.
judged="$TMP/judged"
mkdir "$judged"
good="streamtop-$(date -u -d '-3 hours' +%Y%m%dT%H%M%S).000Z.db"
junk="streamtop-$(date -u -d '-1 hours' +%Y%m%dT%H%M%S).000Z.db"
ahead="streamtop-$(date -u -d '+2 days' +%Y%m%dT%H%M%S).000Z.db"
for name in "$good" "$junk" "$ahead"; do
    cp "$pfile" "$judged/$name"
    cp "$pfile.manifest.json" "$judged/$name.manifest.json"
done
head -c 5000 /dev/urandom > "$judged/$junk"
run "$STREAMTOP" status --db "$db" --backup-dir "$judged" --json
equals "the newest verified backup is the intact one made before now" \
    "$(jq -r .backup.newest_at "$TMP/.out" | cut -c1-19 | tr -d ':-')" "$(echo "$good" | cut -c11-25)"
equals "counting the future-dated and the damaged apart" \
    "$(jq -r '"\(.backup.future_dated) \(.backup.size_mismatch)"' "$TMP/.out")" "1 1"
run "$STREAMTOP" status --db "$db" --backup-dir "$judged"
contains "status says one is dated in the future" "$OUT" "1 newer backup dated in the future (clock skew?): age unknown"
contains "and one is not the size its manifest says" "$OUT" "1 newer backup not the size its manifest says"
rm "$judged/$good" "$judged/$good.manifest.json"
expect_run "with only those two, status is unhealthy" 1 "$STREAMTOP" status --db "$db" --backup-dir "$judged"
contains "finding no verified backup" "$OUT" "none verified"

done_testing
