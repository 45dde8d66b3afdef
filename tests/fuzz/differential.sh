#!/bin/sh
# The decoder against an independent reading of the same bytes: on the fuzz
# corpus and on a set of edge lines (glued values, \u0000, surrogates, bytes
# that are not UTF-8, timepoints of every shape, repeated names), its verdict
# and every field it decodes agree with Python's json module as restated in
# decode_reference.py.
. "$TESTS_SRCDIR/lib.sh"
need python3

reference="$TESTS_SRCDIR/fuzz/decode_reference.py"
python3 "$reference" edges "$TMP/edge-lines.jsonl"

for input in "$TESTS_SRCDIR"/fuzz/corpus/* "$TMP/edge-lines.jsonl"; do
    name=$(basename "$input")
    if ! "$TESTS_BUILDDIR/fuzz/decode_dump" <"$input" >"$TMP/verdicts" 2>"$TMP/dump.err"; then
        not_ok "$name: decode_dump read it" "$(cat "$TMP/dump.err")"
    elif python3 "$reference" compare "$input" "$TMP/verdicts" >"$TMP/differences" 2>&1; then
        ok "$name: the decoder agrees with Python's json on every line"
    else
        not_ok "$name: the decoder agrees with Python's json on every line" \
            "$(head -20 "$TMP/differences")"
    fi
done
done_testing
