# Helpers for shell tests: TAP output, a private temporary directory,
# running the binary with its output captured, and waiting for conditions.
#
# A test sources this file, calls the check functions, and ends with
# `done_testing`, which prints the plan and sets the exit status.

set -u

: "${STREAMTOP:?STREAMTOP must name the streamtop binary (make check sets it)}"
: "${TESTS_SRCDIR:?TESTS_SRCDIR must name the tests directory (make check sets it)}"

TEST_COUNT=0
TEST_FAILED=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/streamtop-test.XXXXXX")
# A home of its own, so no user config or data directory takes part.
export HOME="$TMP/home" XDG_CONFIG_HOME= XDG_DATA_HOME= NO_COLOR=
mkdir -p "$HOME"
unset STREAMTOP_DB STREAMTOP_URL STREAMTOP_CONFIG STREAMTOP_REFRESH STREAMTOP_STREAM_KEY \
      STREAMTOP_STREAM_KEY_FILE STREAMTOP_LOG_FILE 2>/dev/null || true

cleanup_hooks=
at_exit() { cleanup_hooks="$1; $cleanup_hooks"; }
trap 'eval "$cleanup_hooks"; rm -rf "$TMP"' EXIT

ok() {
    TEST_COUNT=$((TEST_COUNT + 1))
    echo "ok $TEST_COUNT - $1"
}

not_ok() {
    TEST_COUNT=$((TEST_COUNT + 1))
    TEST_FAILED=$((TEST_FAILED + 1))
    echo "not ok $TEST_COUNT - $1"
    shift
    for line in "$@"; do printf '# %s\n' "$line"; done
}

# bail REASON: the test cannot go on (its set-up failed); TAP's way to say so.
bail() {
    echo "Bail out! $1"
    exit 1
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
# The command's own output is discarded.
check() {
    _desc=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$_desc"; else not_ok "$_desc" "failed: $*"; fi
}

# run COMMAND...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
    "$@" >"$TMP/.out" 2>"$TMP/.err" && RC=0 || RC=$?
    OUT=$(cat "$TMP/.out")
    ERR=$(cat "$TMP/.err")
}

# expect_run DESCRIPTION STATUS COMMAND...: runs the command and checks its status.
expect_run() {
    _desc=$1; _want=$2; shift 2
    run "$@"
    if [ "$RC" -eq "$_want" ]; then
        ok "$_desc"
    else
        not_ok "$_desc" "exit status $RC, wanted $_want: $*" "stdout: $OUT" "stderr: $ERR"
    fi
}

# contains DESCRIPTION HAYSTACK NEEDLE
contains() {
    case $2 in
        *"$3"*) ok "$1" ;;
        *) not_ok "$1" "'$3' not found in:" "$2" ;;
    esac
}

# lacks DESCRIPTION HAYSTACK NEEDLE
lacks() {
    case $2 in
        *"$3"*) not_ok "$1" "'$3' unexpectedly found in:" "$2" ;;
        *) ok "$1" ;;
    esac
}

# equals DESCRIPTION GOT WANT
equals() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got: $2" "want: $3"; fi
}

# one_line DESCRIPTION TEXT: the text is exactly one line.
one_line() {
    _n=$(printf '%s\n' "$2" | wc -l)
    if [ -n "$2" ] && [ "$_n" -eq 1 ]; then ok "$1"; else not_ok "$1" "$_n lines:" "$2"; fi
}

# wait_for SECONDS COMMAND...: polls until the command succeeds; fails on timeout.
wait_for() {
    _end=$(( $(now_ms) + $1 * 1000 )); shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -ge "$_end" ] && return 1
        sleep 0.05
    done
}

# now_ms: the wall clock in milliseconds, so a wait of N seconds is N
# seconds, not anything from N - 1 up.
now_ms() { date +%s%3N; }

# sql DB QUERY: one query through the sqlite3 shell, waiting out a lock an
# ingester holds for a commit as streamtop's own connections do (the
# shell's busy timeout is 0).
sql() {
    sqlite3 -batch -bail -cmd ".timeout 10000" "$1" "$2"
}

# checksum FILE: content hash, or "absent".
checksum() {
    if [ -e "$1" ]; then cksum < "$1"; else echo absent; fi
}

need() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "1..0 # SKIP $tool is not installed"
            exit 0
        fi
    done
}

done_testing() {
    echo "1..$TEST_COUNT"
    [ "$TEST_FAILED" -eq 0 ]
}
