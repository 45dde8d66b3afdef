#!/bin/sh
# make coverage: after `./configure --enable-coverage && make check`,
# prints the lines of each src/*.c file the tests ran (gcov), least covered
# first, and the total; the last line is "coverage: N% of M lines in src/".
#   coverage.sh SRCDIR BUILDDIR
set -eu
srcdir=$1 builddir=$2
cd "$builddir"
if ! ls src/*.gcda >/dev/null 2>&1; then
    echo "make coverage: no coverage data; ./configure --enable-coverage, then make check" >&2
    exit 1
fi
# -n: report only, no .gcov files left behind.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
gcov -n -o src "$srcdir"/src/*.c 2>/dev/null | awk '
    /^File / {
        file = $2; gsub(/\047/, "", file)
        keep = file ~ /(^|\/)src\/[^\/]*\.c$/
        next
    }
    keep && /^Lines executed:/ {
        split($2, a, ":"); pct = a[2]; sub(/%/, "", pct); n = $4
        sub(/.*\//, "", file)
        printf "%6.1f%% of %5d  %s\n", pct, n, file
        done += pct * n / 100; total += n; keep = 0
    }
    END {
        if (total == 0) { print "make coverage: gcov found no lines" > "/dev/stderr"; exit 1 }
        printf "coverage: %.1f%% of %d lines in src/\n", done * 100 / total, total
    }' >"$report"
grep -v '^coverage:' "$report" | sort -n
grep '^coverage:' "$report"
