#!/bin/sh
# A backup that fails queues a backup_failed message in the database's
# webhook outbox; the running ingester delivers it, signed, to a hook that
# asked for it, and not to one that did not.  A backup that cannot queue
# it (the database itself is read-only) says so and still exits 1.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
need python3 jq

db="$TMP/hooks.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
: >"$TMP/recv.log"
. "$TESTS_SRCDIR/integration/webhook-lib.sh"
recv_start 0 0
port=$RECV_PORT

expect_run "a hook takes backup_failed" 0 "$STREAMTOP" webhooks add "http://127.0.0.1:$port/backups" \
    --events backup_failed --secret-file "$TMP/secret" --db "$db"
expect_run "another does not" 0 "$STREAMTOP" webhooks add "http://127.0.0.1:$port/other" \
    --events failures --secret-file "$TMP/secret" --db "$db"
contains "webhooks list shows the event" "$(sh -c "'$STREAMTOP' webhooks list --db '$db'")" '["backup_failed"]'

# backup_ro DIR: a backup to DIR made read-only; root ignores modes, so
# for root the directory is a read-only bind mount in a namespace of its own.
mkdir "$TMP/ro"
backup_ro() {
    if [ "$(id -u)" != 0 ]; then
        chmod 555 "$TMP/ro"
        "$STREAMTOP" backup --db "$db" --to "$TMP/ro"
    else
        command -v unshare >/dev/null || return 77
        unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 77
                          exec "$2" backup --db "$3" --to "$1"' sh "$TMP/ro" "$STREAMTOP" "$db"
    fi
}
run backup_ro
if [ "$RC" = 77 ]; then
    echo "1..0 # SKIP no read-only directory can be made here"
    exit 0
fi
equals "a backup to a read-only directory fails" "$RC" 1
contains "saying why" "$ERR" "$TMP/ro"
lacks "and the message is queued" "$ERR" "no backup_failed webhook"
equals "one message, for the hook that asked" \
    "$(sql "$db" "SELECT count(*) FROM webhook_outbox WHERE event = 'backup_failed'")" 1

sim_start --rate 100 --count 20 --heartbeat 0.2
ingest_start "$db" --webhook-backoff 0.2
check "the ingester delivers it" wait_for 30 seen '.type == "backup_failed" and .status == 200'
equals "signed and fresh" "$(received '.type == "backup_failed" and .valid == true and .fresh == true')" 1
equals "naming the directory" "$(jq -r 'select(.type == "backup_failed") | .data.dir' "$TMP/recv.log")" "$TMP/ro"
check "and why" sh -c "jq -r 'select(.type == \"backup_failed\") | .data.reason' '$TMP/recv.log' | grep -qF '$TMP/ro'"
equals "at the backup stage" "$(jq -r 'select(.type == "backup_failed") | .data.stage' "$TMP/recv.log")" backup
ingest_stop
equals "the other hook had none" "$(received '.type == "backup_failed"')" 1
sim_stop

# The database itself read-only: nothing can be queued, and stderr says so.
if [ "$(id -u)" != 0 ]; then
    chmod 444 "$db"
    run "$STREAMTOP" backup --db "$db" --to "$TMP/nowhere"
    chmod 644 "$db"
else
    run unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 77
                          exec "$2" backup --db "$3" --to "$4"' sh "$TMP" "$STREAMTOP" "$db" "$TMP/nowhere"
fi
equals "a backup whose database cannot be written still fails" "$RC" 1
contains "and says the message could not be queued" "$ERR" "no backup_failed webhook could be queued"
done_testing
