#!/bin/sh
# make fuzz: builds the libFuzzer target with clang and runs it for a while.
#   run.sh SRCDIR BUILDDIR SECONDS
# New inputs that libFuzzer finds go to BUILDDIR/tests/fuzz/corpus-run; a
# crash leaves crash-* there.  Copy an input worth keeping into
# tests/fuzz/corpus/ so every `make check` replays it.
set -eu
srcdir=$1 builddir=$2 seconds=$3
CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "make fuzz: $CC is not installed (apt-get install clang)" >&2
    exit 1
fi
out="$builddir/tests/fuzz"
mkdir -p "$out/corpus-run"
# shellcheck disable=SC2046
"$CC" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$srcdir/src" -I"$builddir" $(pkg-config --cflags libcjson sqlite3) \
    "$srcdir/tests/fuzz/fuzz_stream.c" "$srcdir/src/framer.c" "$srcdir/src/event.c" \
    "$srcdir/src/jsonscan.c" "$srcdir/src/textsafe.c" "$srcdir/src/store_companies.c" \
    "$srcdir/src/db.c" "$srcdir/src/pathutil.c" "$srcdir/src/schema.c" \
    "$srcdir/src/schema_model.c" "$srcdir/src/strlist.c" "$builddir/src/migrations_data.c" \
    "$srcdir/src/timeutil.c" "$srcdir/src/err.c" \
    $(pkg-config --libs libcjson sqlite3) -lm -o "$out/fuzz_stream"
cd "$out"
./fuzz_stream -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 \
    corpus-run "$srcdir/tests/fuzz/corpus"
