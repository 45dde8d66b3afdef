#!/bin/sh
# Replays the config parser fuzz target's seed corpus; the sanitizer builds
# make this a check for memory errors too.
. "$TESTS_SRCDIR/lib.sh"
export TMPDIR="$TMP"
"$TESTS_BUILDDIR/fuzz/fuzz_config_corpus" "$TESTS_SRCDIR"/fuzz/corpus-config/*
exit $?
