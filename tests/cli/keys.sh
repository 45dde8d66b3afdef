#!/bin/sh
# `streamtop keys`: a key is printed once and only its digest stored; list
# shows no secrets; revoke deactivates; usage errors exit 2.
. "$TESTS_SRCDIR/lib.sh"
need sqlite3

db="$TMP/keys.db"
"$STREAMTOP" migrate --db "$db" >/dev/null

expect_run "keys create exits 0" 0 "$STREAMTOP" keys create "grafana board" --permissions read,write --rate-limit 50 --db "$db"
key=$OUT
check "it prints a key of 256 bits behind its id" sh -c "printf '%s' '$key' | grep -Eqx 'stk_[0-9a-f]{8}_[0-9a-f]{64}'"
id=$(printf '%s' "$key" | cut -c1-12)
contains "and says it is shown once" "$ERR" "shown only this once"
equals "the row's id is the key's prefix" "$(sql "$db" "SELECT count(*) FROM api_keys WHERE id = '$id'")" 1
equals "only the SHA-256 is stored" "$(sql "$db" "SELECT key_hash FROM api_keys WHERE id = '$id'")" \
    "$(printf '%s' "$key" | sha256sum | cut -c1-64)"
check "the secret is nowhere in the file" sh -c "! grep -q '$(printf '%s' "$key" | cut -c14-)' '$db' '$db-wal'"
equals "with its permissions and limit" "$(sql "$db" "SELECT permissions || ' ' || rate_limit_per_hour || ' ' || is_active FROM api_keys WHERE id = '$id'")" \
    '["read","write"] 50 1'
expect_run "a second key" 0 "$STREAMTOP" keys create other --permissions read --db "$db"
check "is a different key" test "$OUT" != "$key"
equals "with the default limit" "$(sql "$db" "SELECT rate_limit_per_hour FROM api_keys WHERE name = 'other'")" 1000

expect_run "keys list exits 0" 0 "$STREAMTOP" keys list --db "$db"
contains "it lists the id" "$OUT" "$id"
contains "and the name" "$OUT" "grafana board"
lacks "but never the secret" "$OUT" "$(printf '%s' "$key" | cut -c14-)"
expect_run "keys revoke exits 0" 0 "$STREAMTOP" keys revoke "$id" --db "$db"
equals "the key is inactive" "$(sql "$db" "SELECT is_active FROM api_keys WHERE id = '$id'")" 0
run "$STREAMTOP" keys list --db "$db"
contains "and listed as revoked" "$OUT" "revoked"
expect_run "revoking an unknown id fails" 1 "$STREAMTOP" keys revoke stk_00000000 --db "$db"
contains "naming it" "$ERR" "stk_00000000"
run "$STREAMTOP" keys create pasted --permissions read --db "$db"
pasted=$OUT
expect_run "a key pasted whole is revoked by its own id" 0 "$STREAMTOP" keys revoke "$pasted" --db "$db"
equals "that key is inactive" \
    "$(sql "$db" "SELECT is_active FROM api_keys WHERE name = 'pasted'")" 0
lacks "and the secret is not repeated" "$OUT$ERR" "$(printf '%s' "$pasted" | cut -c14-)"
forged="$(printf '%s' "$pasted" | cut -c1-13)$(printf '%064d' 0)"
expect_run "a key-shaped string that is no key here is refused" 1 \
    "$STREAMTOP" keys revoke "$forged" --db "$db"
lacks "without repeating it" "$ERR" "$(printf '%064d' 0)"
expect_run "a name with a control character is refused" 2 \
    "$STREAMTOP" keys create "$(printf 'evil\033[31m')" --permissions read --db "$db"
newer="$TMP/newer.db"
cp "$db" "$newer"
sql "$newer" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')"
expect_run "keys list refuses a newer schema" 1 "$STREAMTOP" keys list --db "$newer"
contains "saying so" "$ERR" "newer than this streamtop knows"
expect_run "webhooks list too" 1 "$STREAMTOP" webhooks list --db "$newer"

expect_run "create needs --permissions" 2 "$STREAMTOP" keys create x --db "$db"
expect_run "an unknown permission is refused" 2 "$STREAMTOP" keys create x --permissions read,root --db "$db"
contains "naming it" "$ERR" "'root'"
expect_run "create needs a name" 2 "$STREAMTOP" keys create --permissions read --db "$db"
expect_run "an unknown action is refused" 2 "$STREAMTOP" keys rotate x --db "$db"
expect_run "list takes no argument" 2 "$STREAMTOP" keys list extra --db "$db"
expect_run "--permissions belongs to create" 2 "$STREAMTOP" keys list --permissions read --db "$db"
expect_run "a negative limit is refused" 2 "$STREAMTOP" keys create x --permissions read --rate-limit -1 --db "$db"
expect_run "a missing database is an error" 1 "$STREAMTOP" keys list --db "$TMP/none.db"
check "and is not created" test ! -e "$TMP/none.db"
equals "no failed attempt left a row" "$(sql "$db" "SELECT count(*) FROM api_keys")" 3

done_testing
