# Golden screens: the whole dashboard, drawn from a fixed database at a
# fixed clock, at 80x24, 120x40 and 200x60, compared line by line with the
# expected screens in tests/terminal/golden/.  A change to what any pane
# shows fails here until the expected screens are regenerated on purpose:
#   UPDATE_GOLDEN=1 make check TESTS=tests/terminal/golden.sh
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/terminal/tmux-lib.sh"
need sqlite3
need faketime

# The header shows the database's path: a fixed place, named the same way
# on every run, so only its random part needs masking.
dir=$(mktemp -d /tmp/streamtop-golden.XXXXXX)
at_exit "rm -rf '$dir'"
db="$dir/golden.db"
"$STREAMTOP" migrate --db "$db" >/dev/null || bail "migrate failed"
sqlite3 "$db" < "$TESTS_SRCDIR/terminal/golden/fixture.sql" || bail "the fixture did not load"

# The wall clock stands still at the fixture's moment; the monotonic clock
# runs, so the screen's timers still work.  faketime works by preloading a
# library, which AddressSanitizer must be told to accept.
clock="TZ=UTC DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
clock="$clock faketime -f '2026-12-01 10:00:00'"
if ! eval "$clock '$STREAMTOP' --version" >/dev/null 2>&1; then
    echo "1..0 # SKIP faketime cannot run this build of streamtop"
    exit 0
fi

for size in 80x24 120x40 200x60; do
    cols=${size%x*}
    rows=${size#*x}
    expected="$TESTS_SRCDIR/terminal/golden/$size.txt"
    screen_start "$cols" "$rows" "$clock '$STREAMTOP' --read-only --db '$db'"
    wait_screen "at $size the fixture is drawn" "38 failed"
    actual=$(screen_text | sed "s|$dir|/tmp/streamtop-golden.XXXXXX|")
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
        printf '%s\n' "$actual" > "$expected"
        ok "at $size the expected screen is written anew"
    elif [ "$actual" = "$(cat "$expected")" ]; then
        ok "at $size the whole screen is as expected"
    else
        not_ok "at $size the whole screen is as expected" \
            "$(printf '%s\n' "$actual" | diff "$expected" - | head -n 40)"
    fi
    keys q
    wait_exit "at $size q exits" 0
done
done_testing
