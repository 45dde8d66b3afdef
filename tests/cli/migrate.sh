#!/bin/sh
# `streamtop migrate`: creates the database (and, at the default location,
# its directory; an explicit --db's must exist: files.sh), applies every
# migration once, is a no-op the second time, and is safe to run twice at once.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3

# Versions are the files' numbers, which need not be contiguous.
count=$(ls "$MIGRATIONS_DIR"/*.sql | wc -l)
latest=$(ls "$MIGRATIONS_DIR"/*.sql | sed 's|.*/0*\([0-9]*\)_[^/]*$|\1|' | sort -n | tail -n 1)
data="$TMP/new/dir"
db="$data/streamtop/streamtop.db"

expect_run "migrate creates a new database" 0 env XDG_DATA_HOME="$data" "$STREAMTOP" migrate
contains "it reports the versions" "$OUT" "migrated from schema version 0 to $latest ($count migrations)"
check "the directory was created" test -d "$data/streamtop"
equals "the directory is private" "$(stat -c %a "$data/streamtop")" 700
equals "every migration is recorded" "$(sql "$db" 'SELECT count(*) FROM schema_migrations')" "$count"
equals "the database is in WAL mode" "$(sql "$db" 'PRAGMA journal_mode')" wal
equals "the seed's metadata row exists" \
    "$(sql "$db" "SELECT stream_type || '/' || connection_status FROM stream_metadata")" \
    "company-profile/disconnected"

schema_before=$(sql "$db" "SELECT group_concat(sql, ';') FROM sqlite_schema")
expect_run "migrate again exits 0" 0 "$STREAMTOP" migrate --db "$db"
contains "and says it is up to date" "$OUT" "already at schema version $latest"
equals "the schema is unchanged" "$(sql "$db" "SELECT group_concat(sql, ';') FROM sqlite_schema")" "$schema_before"

both="$TMP/both.db"
"$STREAMTOP" migrate --db "$both" >"$TMP/a.out" 2>&1 & a=$!
"$STREAMTOP" migrate --db "$both" >"$TMP/b.out" 2>&1 & b=$!
wait $a; ra=$?
wait $b; rb=$?
equals "two migrations at once both succeed" "$ra$rb" 00
equals "and each version is recorded once" \
    "$(sql "$both" "SELECT count(*) || ' ' || count(DISTINCT version) FROM schema_migrations")" "$count $count"

sql "$db" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')"
expect_run "a newer schema is refused" 1 "$STREAMTOP" migrate --db "$db"
contains "with a clear message" "$ERR" "newer than this streamtop knows"
expect_run "status refuses it too" 1 "$STREAMTOP" status --db "$db"

done_testing
