#!/bin/sh
# The command line contract: exit 0 on success, 1 on runtime failure, 2 on
# bad usage or configuration with one line naming the problem.
. "$TESTS_SRCDIR/lib.sh"

expect_run "--help exits 0" 0 "$STREAMTOP" --help
contains "--help names the subcommands" "$OUT" "streamtop retry --db PATH"
expect_run "--version exits 0" 0 "$STREAMTOP" --version
contains "--version names the version" "$OUT" "streamtop 0."

usage_error() {
    what=$1; problem=$2; shift 2
    expect_run "$what exits 2" 2 "$STREAMTOP" "$@"
    one_line "$what: one line on stderr" "$ERR"
    contains "$what: names the problem" "$ERR" "$problem"
    equals "$what: nothing on stdout" "$OUT" ""
}

usage_error "unknown option" "'--bogus'" --bogus
usage_error "unknown command" "'frobnicate'" frobnicate
usage_error "bad number" "--refresh: 'x' is not a number" --refresh x
usage_error "not http" "'gopher://h' is not an http:// or https:// URL" ingest --url gopher://h
usage_error "option of another command" "'--json' does not apply to 'migrate'" migrate --json
usage_error "retry without a target" "retry needs --event" retry --db "$TMP/x.db"
usage_error "missing value" "'--db' needs a value" status --db

printf 'db = %s\nrefresh = often\n' "$TMP/a.db" > "$TMP/bad.conf"
usage_error "bad config value" "bad.conf:2: refresh: 'often' is not a number" status --config "$TMP/bad.conf"
printf '# comment\nshout = loud\n' > "$TMP/unknown.conf"
usage_error "unknown config key" "unknown.conf:2: unknown key 'shout'" status --config "$TMP/unknown.conf"
{ printf 'refresh = 1\ndb = '; head -c 300000 /dev/zero | tr '\0' x; printf '\n'; } > "$TMP/long.conf"
usage_error "overlong config line" "long.conf:2: the line is longer than 4096 bytes" status --config "$TMP/long.conf"
usage_error "missing config file" "config file $TMP/none.conf" status --config "$TMP/none.conf"
STREAMTOP_REFRESH=-1 run "$STREAMTOP" status --db "$TMP/a.db"
equals "bad environment value exits 2" "$RC" 2
contains "bad environment value names the variable" "$ERR" "STREAMTOP_REFRESH"

expect_run "status on a missing database exits 1" 1 "$STREAMTOP" status --db "$TMP/missing.db"
contains "status says the database is missing" "$ERR" "no such database"
check "status did not create the database" test ! -e "$TMP/missing.db"

printf 'not a database\n' > "$TMP/text.db"
before=$(checksum "$TMP/text.db")
expect_run "migrate on a text file exits 1" 1 "$STREAMTOP" migrate --db "$TMP/text.db"
contains "migrate says it is not SQLite" "$ERR" "not an SQLite database"
expect_run "status on a text file exits 1" 1 "$STREAMTOP" status --db "$TMP/text.db"
equals "the text file is unchanged" "$(checksum "$TMP/text.db")" "$before"
check "no WAL file was created" test ! -e "$TMP/text.db-wal"

expect_run "a directory as database exits 1" 1 "$STREAMTOP" status --db "$TMP"
contains "and says why" "$ERR" "not a regular file"

done_testing
