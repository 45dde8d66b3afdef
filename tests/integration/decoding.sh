#!/bin/sh
# Lines at the decoder's edges, through the real stream: two events glued on
# one line fail whole; an event holding \u0000 or bytes that are not UTF-8
# is stored under its own id, byte for byte, and applied as valid UTF-8; a
# timepoint that is not a JSON integer fails and cannot move the resume
# point, so the company's next event is applied and a restart resumes from
# the newest valid event.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"

# event TP NUMBER NAME: one event line, without its newline.
event() {
    printf '{"resource_kind":"company-profile","resource_id":"%s","data":{"company_number":"%s","company_name":"%s","etag":"e%s"},"event":{"timepoint":%s,"published_at":"2026-11-24T10:00:00Z","type":"changed"}}' \
        "$2" "$2" "$3" "$1" "$1"
}

# hex TEXT: its bytes in upper-case hexadecimal, as SQLite's hex() prints them.
hex() {
    printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F
}

glued="$(event 101 00000002 'GLUED ONE LTD')$(event 102 00000003 'GLUED TWO LTD')"
nul=$(event 103 00000004 'NUL\u0000LTD')
bytes=$(event 104 00000005 "$(printf 'BAD\377\376LTD')")
poison='{"resource_kind":"company-profile","resource_id":"00000001","data":{"company_number":"00000001","company_name":"POISON LTD"},"event":{"timepoint":"99999999999999999999","type":"changed"}}'
{
    event 100 00000001 'FIRST LTD'; echo
    printf '%s\n%s\n%s\n%s\n' "$glued" "$nul" "$poison" "$bytes"
    event 105 00000001 'FIRST RENAMED LTD'; echo
} >"$TMP/lines.jsonl"

db="$TMP/decoding.db"
sim_start --replay "$TMP/lines.jsonl" --rate 100
ingest_start "$db" --batch-ms 50
check "every line is stored" wait_for 30 sh -c \
    "[ \"\$(sqlite3 '$db' 'SELECT count(*) FROM stream_events_log')\" = 6 ]"

equals "the resume point is the newest valid event" \
    "$(sql "$db" "SELECT last_timepoint FROM stream_state")" 105
equals "the company's next event after the poisoned line is applied" \
    "$(sql "$db" "SELECT company_name || ' ' || stream_event_id FROM companies WHERE company_number = '00000001'")" \
    "FIRST RENAMED LTD company-profile:105"
contains "a string timepoint is a failure" \
    "$(sql "$db" "SELECT error_message FROM stream_events_log WHERE event_id LIKE 'invalid:%' AND event_data LIKE '%POISON%'")" \
    "event.timepoint is not a non-negative integer"
equals "glued events are one failure, kept whole" \
    "$(sql "$db" "SELECT count(*) FROM stream_events_log WHERE event_id LIKE 'invalid:%'
                  AND error_message LIKE '%text after the value%' AND hex(event_data) = '$(hex "$glued")'")" 1
equals "neither glued event was stored or applied" \
    "$(sql "$db" "SELECT (SELECT count(*) FROM stream_events_log WHERE event_id IN ('company-profile:101', 'company-profile:102'))
                  + (SELECT count(*) FROM companies WHERE company_number IN ('00000002', '00000003'))")" 0
equals "an event holding \\u0000 is stored under its own id, byte for byte" \
    "$(sql "$db" "SELECT processing_status || ' ' || (hex(event_data) = '$(hex "$nul")')
                  FROM stream_events_log WHERE event_id = 'company-profile:103'")" "processed 1"
equals "its NUL is applied as U+FFFD, in the column and in data" \
    "$(sql "$db" "SELECT company_name = 'NUL' || char(65533) || 'LTD' AND json_extract(data, '\$.company_name') = company_name
                  FROM companies WHERE company_number = '00000004'")" 1
equals "bytes that are not UTF-8 are kept in the log" \
    "$(sql "$db" "SELECT hex(event_data) = '$(hex "$bytes")' FROM stream_events_log WHERE event_id = 'company-profile:104'")" 1
equals "and applied as U+FFFD, one per byte" \
    "$(sql "$db" "SELECT company_name = 'BAD' || char(65533, 65533) || 'LTD' AND json_extract(data, '\$.company_name') = company_name
                  FROM companies WHERE company_number = '00000005'")" 1

ingest_stop
equals "the ingester exits 0 on SIGTERM" "$INGEST_RC" 0
ingest_start "$db" --batch-ms 50
check "a restart asks for the stream again" wait_for 30 sh -c \
    "[ \$(grep -c 'event=request' '$TMP/sim.log') -ge 2 ]"
equals "it resumes from the newest valid event" \
    "$(grep 'event=request' "$TMP/sim.log" | sed -n '2s/.* timepoint=\([^ ]*\) .*/\1/p')" 105
ingest_stop
done_testing
