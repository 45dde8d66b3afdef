#!/bin/sh
# bench_api: the HTTP API under 50 concurrent clients for 10 seconds
# (/metrics and /v1/status in turn, keep-alive, bearer key) beside a
# catch-up ingest, and that ingest's rate against its rate alone and
# beside the same load aimed at another database.
#
# usage: bench_api.sh STREAMTOP WORKDIR [EVENTS]
set -eu
streamtop=$1
work=$2
events=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "bench_api: python3 is not installed" >&2; exit 1; }
mkdir -p "$work"
dir=$(mktemp -d "$work/api.XXXXXX")
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"' EXIT
export STREAMTOP_STREAM_KEY=bench HOME="$dir"

stored() { sqlite3 "$1" 'SELECT coalesce(max(events_received), 0) FROM stream_state' 2>/dev/null || echo 0; }

# catch_up DB [ARGS]: ingests $events events as fast as they come; prints
# events per second.
catch_up() {
    "$streamtop" simulate --port 0 --count "$events" --rate 10000000 >"$dir/sim.out" 2>/dev/null &
    sim=$!
    while ! grep -q listening "$dir/sim.out" 2>/dev/null; do sleep 0.05; done
    url=$(sed -n 's/.*listening on //p' "$dir/sim.out")
    db=$1; shift
    start=$(date +%s.%N)
    "$streamtop" ingest --db "$db" --url "$url" "$@" 2>"$dir/ingest.log" &
    ingest=$!
    pids="$sim $ingest"
    while [ "$(stored "$db")" -lt "$events" ]; do sleep 0.05; done
    end=$(date +%s.%N)
    kill "$ingest" "$sim"; wait "$ingest" "$sim" 2>/dev/null || true
    echo "$start $end" | awk -v n="$events" '{printf "%.0f", n / ($2 - $1)}'
}

alone=$(catch_up "$dir/alone.db")

# serve_load DB: `serve` on DB with 50 clients on it for 10 s, in the
# background (the clients at nice 19: they stand for machines elsewhere).
serve_load() {
    "$streamtop" migrate --db "$1" >/dev/null
    key=$("$streamtop" keys create bench --permissions read --rate-limit 0 --db "$1" 2>/dev/null)
    rm -f "$dir/serve.log"
    "$streamtop" serve --db "$1" --listen 127.0.0.1:0 2>"$dir/serve.log" &
    serve=$!
    while ! grep -q event=serving "$dir/serve.log" 2>/dev/null; do sleep 0.05; done
    addr=$(sed -n 's/.*address=\([^ ]*\).*/\1/p' "$dir/serve.log")
    nice -n 19 python3 "$here/api_load.py" "$addr" "$key" 10 50 /metrics /v1/status >"$dir/load.out" &
    load=$!
    pids="$serve $load"
}
serve_stop() { wait "$load"; kill "$serve"; wait "$serve" 2>/dev/null || true; }
change() { echo "$1 $2" | awk '{printf "%+.1f", ($1 / $2 - 1) * 100}'; }

# The same load on a second database's server: the CPU the clients and the
# server take from a 2-core machine, without the API touching the database
# being ingested.
serve_load "$dir/other.db"
other=$(catch_up "$dir/beside-other.db")
serve_stop

serve_load "$dir/loaded.db"
loaded=$(catch_up "$dir/loaded.db")
serve_stop

echo "bench_api: 50 clients for 10 s beside a catch-up of $events events"
cat "$dir/load.out"
echo "ingest alone                      $alone events/s"
echo "ingest beside load on another db  $other events/s ($(change "$other" "$alone") %)"
echo "ingest beside load on its own db  $loaded events/s ($(change "$loaded" "$alone") %; $(change "$loaded" "$other") % against the load elsewhere)"
