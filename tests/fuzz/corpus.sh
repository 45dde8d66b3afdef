#!/bin/sh
# Replays the fuzz target's seed corpus (and any crash inputs saved beside
# it) through the framer and decoder; the sanitizer builds make this a check
# for memory errors too.
. "$TESTS_SRCDIR/lib.sh"
exec "$TESTS_BUILDDIR/fuzz/fuzz_corpus" "$TESTS_SRCDIR"/fuzz/corpus/*
