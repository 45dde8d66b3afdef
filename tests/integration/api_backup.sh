#!/bin/sh
# serve --backup-dir judges the newest verified backup as status does:
# /healthz and /v1/status name the missing backup, /metrics carries its
# age and whether one exists (and nothing about backups without a
# directory), and a backup made meanwhile is seen.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/api-lib.sh"

db="$TMP/api.db"
mkdir "$TMP/backups"
"$STREAMTOP" migrate --db "$db" >/dev/null
"$STREAMTOP" keys create monitor --permissions read --db "$db" 2>/dev/null >"$TMP/key"
key=$(cat "$TMP/key")

serve_start "$db"
call "$key" GET /metrics
lacks "without a backup directory /metrics says nothing of backups" "$BODY" "streamtop_backup_"
call "$key" GET /v1/status
equals "nor does /v1/status" "$(printf '%s' "$BODY" | jq -c .backup)" null
serve_stop

serve_start "$db" --backup-dir "$TMP/backups" --backup-max-age 2
call "$key" GET /healthz
equals "/healthz is 503 with no backup yet" "$CODE" 503
contains "and says why" "$BODY" "no verified backup in $TMP/backups"
call "$key" GET /v1/status
"$STREAMTOP" status --json --db "$db" --backup-dir "$TMP/backups" --backup-max-age 2 >"$TMP/status.json"
equals "/v1/status has status's problems" "$(printf '%s' "$BODY" | jq -c .problems)" \
    "$(jq -c .problems "$TMP/status.json")"
equals "and its backup section" "$(printf '%s' "$BODY" | jq -c .backup)" "$(jq -c .backup "$TMP/status.json")"
equals "the maximum age is the one given" "$(printf '%s' "$BODY" | jq .backup.max_age_seconds)" 7200
call "$key" GET /metrics
printf '%s\n' "$BODY" >"$TMP/metrics.txt"
check "/metrics: no verified backup" grep -qx 'streamtop_backup_verified 0' "$TMP/metrics.txt"
check "its age is unknown" grep -qx 'streamtop_backup_age_seconds NaN' "$TMP/metrics.txt"
if command -v promtool >/dev/null 2>&1; then
    expect_run "promtool check metrics passes" 0 sh -c "promtool check metrics <'$TMP/metrics.txt'"
fi

expect_run "a backup is made" 0 "$STREAMTOP" backup --db "$db" --to "$TMP/backups"
backed_up() {
    call "$key" GET /metrics
    printf '%s\n' "$BODY" | grep -qx 'streamtop_backup_verified 1'
}
check "/metrics sees the verified backup" wait_for 10 backed_up
call "$key" GET /metrics
age=$(printf '%s\n' "$BODY" | sed -n 's/^streamtop_backup_age_seconds //p')
check "with its age in seconds" awk -v a="$age" 'BEGIN { exit !(a >= 0 && a < 60) }'
no_backup_problem() {
    call "$key" GET /v1/status
    [ "$(printf '%s' "$BODY" | jq '[.problems[] | select(test("backup"))] | length')" = 0 ]
}
check "/v1/status no longer counts it a problem" wait_for 10 no_backup_problem
call "$key" GET /healthz
lacks "nor does /healthz" "$BODY" "backup"
serve_stop
equals "serve stops cleanly" "$SERVE_RC" 0
done_testing
