#!/bin/sh
# Replays the textsafe fuzz target's seed corpus; the sanitizer builds make
# this a check for memory errors too.
. "$TESTS_SRCDIR/lib.sh"
"$TESTS_BUILDDIR/fuzz/fuzz_textsafe_corpus" "$TESTS_SRCDIR"/fuzz/corpus-textsafe/*
exit $?
