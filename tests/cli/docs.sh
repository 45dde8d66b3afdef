#!/bin/sh
# The manual and the README name every key a config file accepts: each
# long option of --help is tried in a config file, and those the file
# accepts must be in both lists.
. "$TESTS_SRCDIR/lib.sh"

top="$TESTS_SRCDIR/.."
man="$top/doc/streamtop.1"
readme="$top/README.md"
run "$STREAMTOP" --help
options=$(printf '%s\n' "$OUT" | sed -n 's/^  --\([a-z][a-z-]*\).*/\1/p' | sort -u)
check "--help lists options" test -n "$options"
keys=0
for name in $options; do
    printf '%s = 1\n' "$name" >"$TMP/config"
    "$STREAMTOP" status --config "$TMP/config" --db "$TMP/none.db" >/dev/null 2>"$TMP/err"
    grep -q "unknown key" "$TMP/err" && continue
    keys=$((keys + 1))
    man_name=$(printf '%s' "$name" | sed 's/-/\\\\-/g')
    # The CONFIGURATION section lists keys as .BR name\-part , or .B name.
    if sed -n '/^\.SH CONFIGURATION/,/^\.SH /p' "$man" | grep -Eq "^\.BR? $man_name( ,|$| ;)"; then
        ok "the manual's CONFIGURATION lists '$name'"
    else
        not_ok "the manual's CONFIGURATION lists '$name'"
    fi
    if grep -q "\`$name\`" "$readme"; then
        ok "the README lists '$name'"
    else
        not_ok "the README lists '$name'"
    fi
done
check "some keys are config keys ($keys)" test "$keys" -gt 10

done_testing
