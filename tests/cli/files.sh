#!/bin/sh
# The files streamtop creates: never through a symbolic link, and with the
# permissions it means them to have, whatever the umask.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3

export STREAMTOP_STREAM_KEY=test-stream-key
# Nothing listens there: the ingester starts, then backs off.
NOWHERE=http://127.0.0.1:1/companies
INGEST_PID=
at_exit '[ -n "$INGEST_PID" ] && kill -9 "$INGEST_PID" 2>/dev/null'

mode() { stat -c %a "$1"; }

# ---- the database ----
# A link named as the database is a configuration error: exit 2, which
# systemd does not restart, from every command that opens one.
ln -s "$TMP/elsewhere.db" "$TMP/dangling.db"
"$STREAMTOP" migrate --db "$TMP/target.db" >/dev/null
ln -s "$TMP/target.db" "$TMP/linked.db"
for link in dangling linked; do
    for cmd in migrate ingest status dashboard read-only; do
        args="$cmd"
        case $cmd in
        ingest) args="ingest --url $NOWHERE" ;;
        dashboard) args= ;;
        read-only) args=--read-only ;;
        esac
        # shellcheck disable=SC2086
        expect_run "$cmd --db a $link link: exit 2" 2 timeout 10 "$STREAMTOP" $args --db "$TMP/$link.db"
        one_line "$cmd --db a $link link: one line" "$ERR"
        contains "$cmd --db a $link link: names it and says why" "$ERR" "$TMP/$link.db: is a symbolic link"
    done
done
run env STREAMTOP_DB="$TMP/dangling.db" "$STREAMTOP" status
equals "STREAMTOP_DB a link: exit 2" "$RC" 2
contains "and named" "$ERR" "$TMP/dangling.db: is a symbolic link"
check "the file the link points to was not created" test ! -e "$TMP/elsewhere.db"

# ---- the database's directory: made only for the default location ----
# A mistyped --db used to create its directory and a new, empty database,
# resuming from "now": the data split silently in two.
for cmd in migrate ingest status; do
    url=; [ $cmd = ingest ] && url="--url $NOWHERE"
    # shellcheck disable=SC2086
    expect_run "$cmd --db in a missing directory: exit 2" 2 timeout 10 \
        "$STREAMTOP" $cmd --db "$TMP/typo/dir/x.db" $url
    one_line "$cmd --db in a missing directory: one line" "$ERR"
    contains "$cmd --db in a missing directory: says so" "$ERR" \
        "--db: directory $TMP/typo/dir does not exist; create it first (only the default location is created)"
done
check "the directory was not created" test ! -e "$TMP/typo"
printf 'db = %s\n' "$TMP/typo/x.db" > "$TMP/typo.conf"
expect_run "a config file's db in a missing directory: exit 2" 2 timeout 10 \
    "$STREAMTOP" ingest --config "$TMP/typo.conf" --url "$NOWHERE"
contains "and says so" "$ERR" "directory $TMP/typo does not exist"
run env STREAMTOP_DB="$TMP/typo/x.db" timeout 10 "$STREAMTOP" ingest --url "$NOWHERE"
equals "STREAMTOP_DB in a missing directory: exit 2" "$RC" 2
check "none of them created it" test ! -e "$TMP/typo"
printf 'a file\n' > "$TMP/plain"
expect_run "--db under a file: exit 2" 2 "$STREAMTOP" migrate --db "$TMP/plain/x.db"
contains "and says so" "$ERR" "--db: $TMP/plain is not a directory"
expect_run "the default location is still created" 0 env XDG_DATA_HOME="$TMP/xdg" "$STREAMTOP" migrate
check "with the database in it" test -f "$TMP/xdg/streamtop/streamtop.db"
equals "the directory it made is private" "$(mode "$TMP/xdg/streamtop")" 700

"$STREAMTOP" migrate --db "$TMP/real.db" >/dev/null
ln -s "$TMP/elsewhere.wal" "$TMP/real.db-wal"
expect_run "a link where the -wal goes: exit 1" 1 "$STREAMTOP" migrate --db "$TMP/real.db"
contains "a link where the -wal goes: named" "$ERR" "$TMP/real.db-wal: is a symbolic link"
check "the file that link points to was not created" test ! -e "$TMP/elsewhere.wal"
rm "$TMP/real.db-wal"

# ---- the log file ----
ln -s "$TMP/elsewhere.log" "$TMP/dangling.log"
expect_run "--log-file a dangling link: exit 2" 2 \
    "$STREAMTOP" ingest --db "$TMP/log.db" --url "$NOWHERE" --log-file "$TMP/dangling.log"
one_line "--log-file a dangling link: one line" "$ERR"
contains "--log-file a dangling link: names it and says why" "$ERR" "log file $TMP/dangling.log: is a symbolic link"
check "the log the link points to was not created" test ! -e "$TMP/elsewhere.log"
printf 'precious\n' >"$TMP/precious"
ln -s "$TMP/precious" "$TMP/linked.log"
expect_run "--log-file a link to a file: exit 2" 2 \
    "$STREAMTOP" simulate --port 0 --log-file "$TMP/linked.log"
equals "the file the link points to is unchanged" "$(cat "$TMP/precious")" precious

# ---- the stream key file: refused at once, exit 2, one line naming it ----
key_refused() {
    what=$1; why=$2
    expect_run "key file $what: exit 2" 2 timeout 10 \
        "$STREAMTOP" ingest --db "$TMP/key.db" --url "$NOWHERE" --stream-key-file "$TMP/$what"
    one_line "key file $what: one line" "$ERR"
    contains "key file $what: says why" "$ERR" "--stream-key-file $TMP/$what: $why"
}
mkfifo "$TMP/fifo"
key_refused fifo "not a regular file"
printf 'file-key\n' >"$TMP/key"
chmod 600 "$TMP/key"
ln -s "$TMP/key" "$TMP/key-link"
key_refused key-link "is a symbolic link"
head -c 5000 /dev/zero | tr '\0' k >"$TMP/big-key"
chmod 600 "$TMP/big-key"
key_refused big-key "larger than 4096 bytes"
printf 'file\000key\n' >"$TMP/nul-key"
chmod 600 "$TMP/nul-key"
key_refused nul-key "the key contains a NUL byte"
check "no database was made for a refused key" test ! -e "$TMP/key.db"

# ---- permissions set on purpose, whatever the umask ----
# Only the default location's directories are made (an explicit --db's
# must exist).
for mask in 000 022 077 277; do
    data="$TMP/umask$mask/data"
    (umask $mask && XDG_DATA_HOME="$data" exec "$STREAMTOP" migrate) >/dev/null
    equals "umask $mask: a new database is 0600" "$(mode "$data/streamtop/streamtop.db")" 600
    equals "umask $mask: the directories made for it are 0700" \
        "$(mode "$data") $(mode "$data/streamtop")" "700 700"
done

db="$TMP/perm/live.db"
log="$TMP/perm/ingest.log"
mkdir "$TMP/perm"
(umask 000 && exec "$STREAMTOP" ingest --db "$db" --url "$NOWHERE" --log-file "$log") &
INGEST_PID=$!
check "ingest starts" wait_for 10 grep -q event=ingester_started "$log"
check "the ingester's -wal and -shm exist" wait_for 10 test -e "$db-wal" -a -e "$db-shm"
equals "umask 000: the log file is 0600" "$(mode "$log")" 600
equals "umask 000: the database is 0600" "$(mode "$db")" 600
equals "umask 000: its -wal is 0600" "$(mode "$db-wal")" 600
equals "umask 000: its -shm is 0600" "$(mode "$db-shm")" 600
kill -TERM "$INGEST_PID"; wait "$INGEST_PID"; INGEST_PID=

chmod 640 "$db" "$log"
(umask 000 && exec "$STREAMTOP" ingest --db "$db" --url "$NOWHERE" --log-file "$log") &
INGEST_PID=$!
check "ingest starts again" wait_for 10 sh -c "[ \$(grep -c event=ingester_started '$log') -eq 2 ]"
check "the ingester's -wal and -shm exist again" wait_for 10 test -e "$db-wal" -a -e "$db-shm"
equals "an existing log keeps the mode its operator gave it" "$(mode "$log")" 640
equals "so does an existing database" "$(mode "$db")" 640
equals "and its new -wal follows the database" "$(mode "$db-wal")" 640

# A log rotated away and replaced by a link is not followed on SIGHUP.
mv "$log" "$log.1"
ln -s "$TMP/elsewhere-rotated.log" "$log"
kill -HUP "$INGEST_PID"
check "SIGHUP onto a link: the refusal is logged in the old file" \
    wait_for 10 grep -q "event=log_reopen_failed .*is a symbolic link" "$log.1"
check "SIGHUP onto a link: nothing was created through it" test ! -e "$TMP/elsewhere-rotated.log"
check "SIGHUP onto a link: the ingester keeps running" kill -0 "$INGEST_PID"
kill -TERM "$INGEST_PID"; wait "$INGEST_PID"; INGEST_PID=
contains "and keeps logging to the old file" "$(tail -n 1 "$log.1")" event=ingester_stopped

done_testing
