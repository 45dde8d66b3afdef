#!/bin/sh
# The systemd units in data/systemd/ pass `systemd-analyze verify` (with the
# built binary in place of the installed one), and keep the promises the
# docs make: restart on failure, the key as a credential and never on the
# command line, a sandbox with only the state directory writable.
. "$TESTS_SRCDIR/lib.sh"
need systemd-analyze

units="$TESTS_SRCDIR/../data/systemd"
bindir=$(cd "$(dirname "$STREAMTOP")" && pwd)
mkdir "$TMP/units"
for t in "$units"/*.service.in; do
    sed "s|@bindir@|$bindir|g" "$t" > "$TMP/units/$(basename "$t" .in)"
done
cp "$units/streamtop-backup.timer" "$TMP/units/"

run systemd-analyze verify --man=no "$TMP/units/streamtop-ingest.service" \
    "$TMP/units/streamtop-backup.service" "$TMP/units/streamtop-backup.timer"
equals "systemd-analyze verify accepts the units" "$RC" 0
equals "without a warning" "$ERR" ""

ingest="$TMP/units/streamtop-ingest.service"
backup="$TMP/units/streamtop-backup.service"
prop() { grep -qx "$2" "$1"; }
check "the ingester restarts on failure" prop "$ingest" "Restart=on-failure"
check "but not on bad usage or configuration" prop "$ingest" "RestartPreventExitStatus=2"
check "its key is a credential" prop "$ingest" "LoadCredential=stream-key:/etc/streamtop/stream-key"
check "read from a file, not the command line" grep -q -- "--stream-key-file %d/stream-key" "$ingest"
lacks "no key in its settings" "$(grep -v '^#' "$ingest")" "STREAMTOP_STREAM_KEY="
for unit in "$ingest" "$backup"; do
    name=$(basename "$unit")
    check "$name: the system is read-only" prop "$unit" "ProtectSystem=strict"
    check "$name: but the database's directory" prop "$unit" "ReadWritePaths=/var/lib/streamtop"
    check "$name: no new privileges" prop "$unit" "NoNewPrivileges=yes"
    check "$name: a private /tmp" prop "$unit" "PrivateTmp=yes"
done
check "the backup needs no network" prop "$backup" "PrivateNetwork=yes"
check "the timer is daily and catches up a missed run" prop "$TMP/units/streamtop-backup.timer" "Persistent=true"

done_testing
