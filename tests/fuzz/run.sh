#!/bin/sh
# make fuzz: builds a libFuzzer target with clang and runs it for a while.
#   run.sh SRCDIR BUILDDIR SECONDS [TARGET]
# TARGET is stream (the framer, decoder and applying; the default),
# textsafe (what reaches the terminal) or config (the config file parser).
# New inputs that libFuzzer finds go to BUILDDIR/tests/fuzz/corpus-run-TARGET;
# a crash leaves crash-* in BUILDDIR/tests/fuzz.  Copy an input worth keeping
# into the target's seed corpus (tests/fuzz/corpus, corpus-textsafe or
# corpus-config) so every `make check` replays it.
set -eu
srcdir=$1 builddir=$2 seconds=$3 target=${4:-stream}
CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "make fuzz: $CC is not installed (apt-get install clang)" >&2
    exit 1
fi
s="$srcdir/src"
case $target in
stream)
    sources="$srcdir/tests/fuzz/fuzz_stream.c $s/framer.c $s/event.c $s/jsonscan.c $s/textsafe.c
             $s/store_companies.c $s/db.c $s/pathutil.c $s/schema.c $s/schema_model.c
             $s/strlist.c $builddir/src/migrations_data.c $s/timeutil.c $s/err.c"
    corpus="$srcdir/tests/fuzz/corpus" max_len=65536 ;;
textsafe)
    sources="$srcdir/tests/fuzz/fuzz_textsafe.c $s/textsafe.c"
    corpus="$srcdir/tests/fuzz/corpus-textsafe" max_len=4096 ;;
config)
    sources="$srcdir/tests/fuzz/fuzz_config.c $s/config_file.c $s/err.c"
    corpus="$srcdir/tests/fuzz/corpus-config" max_len=16384 ;;
*)
    echo "make fuzz: unknown target $target (stream, textsafe or config)" >&2
    exit 2 ;;
esac
out="$builddir/tests/fuzz"
mkdir -p "$out/corpus-run-$target"
# shellcheck disable=SC2046,SC2086
"$CC" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$s" -I"$builddir" $(pkg-config --cflags libcjson sqlite3) $sources \
    $(pkg-config --libs libcjson sqlite3) -lm -o "$out/fuzz_$target"
cd "$out"
"./fuzz_$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    "corpus-run-$target" "$corpus"
