#!/bin/sh
# The real Prometheus server scrapes /metrics with a bearer key, and
# `promtool check metrics` accepts what it reads.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/integration/stream-lib.sh"
. "$TESTS_SRCDIR/integration/api-lib.sh"
need prometheus promtool python3

db="$TMP/prom.db"
"$STREAMTOP" migrate --db "$db" >/dev/null
sim_start --rate 5000 --count 40
ingest_start "$db"
wait_settled "a run settles" "$db"
ingest_stop
"$STREAMTOP" keys create prometheus --permissions read --db "$db" 2>/dev/null >"$TMP/key"
serve_start "$db"

call "$(cat "$TMP/key")" GET /metrics
printf '%s\n' "$BODY" >"$TMP/metrics.txt"
expect_run "promtool check metrics passes" 0 sh -c "promtool check metrics <'$TMP/metrics.txt'"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: streamtop
    authorization:
      type: Bearer
      credentials_file: $TMP/key
    static_configs:
      - targets: ['${API#http://}']
YAML
expect_run "the scrape config is valid" 0 promtool check config "$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
    --web.listen-address="127.0.0.1:$port" >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
at_exit "kill $PROM_PID 2>/dev/null"
query() {
    curl -s "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1]'
}
scraped() { [ "$(query 'streamtop_events_received_total')" = 40 ]; }
check "Prometheus scrapes the events counter" wait_for 60 scraped
equals "the target is up" "$(query 'up{job="streamtop"}')" 1
equals "the connection state is a labelled gauge" "$(query 'streamtop_connection_state{state="disconnected"}')" 1
logged() {
    [ "$(sql "$db" "SELECT count(*) FROM api_access_log a JOIN api_keys k ON k.id = a.key_id
                    WHERE k.name = 'prometheus' AND a.path = '/metrics' AND a.status = 200")" -ge 2 ]
}
check "its scrapes are in the access log under its key" wait_for 10 logged
kill "$PROM_PID" 2>/dev/null
wait "$PROM_PID" 2>/dev/null
done_testing
