#!/bin/sh
# bench_retry: `streamtop retry --all-failed` over N failed events (default
# 50,000) in one transaction: the wall time, and the brk(2) calls when
# strace is there (each one is the heap shrinking or growing again).
#
# usage: bench_retry.sh STREAMTOP WORKDIR [N]
set -eu
streamtop=$1
work=$2
n=${3:-50000}
mkdir -p "$work"
dir=$(mktemp -d "$work/retry.XXXXXX")
trap 'rm -rf "$dir"' EXIT
db="$dir/r.db"
"$streamtop" migrate --db "$db" >/dev/null
sqlite3 "$db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
    INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status,
                                   error_message, received_at)
    SELECT 'company-profile:' || i, 'changed', '{}', 'failed', 'invalid event: bench',
           strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n;
    INSERT INTO processing_queue (event_log_id, status, priority, attempts, created_at, updated_at)
    SELECT id, 'failed', 0, 1, received_at, received_at FROM stream_events_log;"
fail_all() { sqlite3 "$db" "UPDATE stream_events_log SET processing_status = 'failed';
                            UPDATE processing_queue SET status = 'failed'"; }
start=$(date +%s.%N)
"$streamtop" retry --db "$db" --all-failed >/dev/null
end=$(date +%s.%N)
echo "$start $end" | awk -v n="$n" '{printf "retry --all-failed: %d failures in %.2f s\n", n, $2 - $1}'
if command -v strace >/dev/null; then
    fail_all
    strace -f -c -e trace=brk -o "$dir/strace" "$streamtop" retry --db "$db" --all-failed >/dev/null
    awk '$NF == "brk" {print "  brk calls: " $4}' "$dir/strace"
fi
