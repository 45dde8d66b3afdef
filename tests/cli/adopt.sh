#!/bin/sh
# A database the existing system made (its own companies table, the seed's
# stream tables applied by other tooling, no schema_migrations): status reads
# it as it is, and migrate adopts it without losing a row or a column.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3 jq

db="$TMP/legacy.db"
sqlite3 "$db" < "$TESTS_SRCDIR/data/seed_legacy.sql"
before=$(checksum "$db")

run "$STREAMTOP" status --db "$db" --json
equals "status on the legacy database answers (unhealthy: a failure)" "$RC" 1
check "its JSON is valid" jq -e . "$TMP/.out"
equals "it is not tracked yet" "$(jq -r .database.schema_version "$TMP/.out")" null
contains "it names missing tables" "$(jq -r '.database.missing[]' "$TMP/.out")" "table stream_state"
contains "and missing columns" "$(jq -r '.database.missing[]' "$TMP/.out")" "column companies.data"
equals "the connection is read from stream_metadata" "$(jq -r .connection.state "$TMP/.out")" connected
equals "the failure is counted through the seed's index" "$(jq -r .failures.count "$TMP/.out")" 1
equals "the queue says why it is unavailable" "$(jq -r .queue.unavailable_because "$TMP/.out")" \
    "column processing_queue.priority is missing"
contains "the placeholder admin key is reported" "$(jq -r '.database.warnings[]' "$TMP/.out")" "admin-key-001"
equals "status changed nothing" "$(checksum "$db")" "$before"
check "and created no file beside it" test ! -e "$db-wal" -a ! -e "$db-shm"

run "$STREAMTOP" status --db "$db"
contains "the text summary lists missing parts" "$OUT" "missing     table"

expect_run "migrate adopts it" 0 "$STREAMTOP" migrate --db "$db"
contains "it says so" "$OUT" "adopted an existing database"
contains "it lists what it created" "$OUT" "created table stream_state"
contains "it says what it kept as it is" "$OUT" "without: CHECK constraints on companies"
contains "it warns about the placeholder key" "$ERR" "placeholder hash"
equals "companies keep their rows and own columns" \
    "$(sql "$db" "SELECT group_concat(company_name || ':' || sector, ',') FROM companies")" \
    "LEGACY ONE LTD:retail,LEGACY TWO PLC:finance"
equals "the old queue row is kept" "$(sql "$db" "SELECT job_type || ':' || status FROM processing_queue")" "reindex:done"
equals "the placeholder key is kept for the operator" "$(sql "$db" "SELECT count(*) FROM api_keys")" 1
equals "every migration is recorded as adopted" \
    "$(sql "$db" "SELECT count(*) FROM schema_migrations WHERE how = 'adopted'")" \
    "$(ls "$MIGRATIONS_DIR"/*.sql | wc -l)"

run "$STREAMTOP" status --db "$db" --json
equals "after adoption only the constraints are missing" \
    "$(jq -r '.database.missing | map(startswith("CHECK")) | all' "$TMP/.out")" true
equals "and the queue is readable" "$(jq -r .queue.available "$TMP/.out")" true
expect_run "migrate again is a no-op" 0 "$STREAMTOP" migrate --db "$db"
contains "it says so" "$OUT" "already at schema version"

done_testing
