#!/bin/sh
# bench_dashboard: what an open dashboard costs.
#
#   idle  the read-only dashboard on a quiet database for a minute: CPU as
#         a share of one core, and RSS at the start and the end;
#   demo  the demo (simulator, ingester and dashboard in one process,
#         500 events a second, so the writer's page cache fills within a
#         minute) for four minutes: RSS at 10 s, 1, 2 and 4 minutes.
#
# usage: bench_dashboard.sh STREAMTOP WORKDIR [SECONDS]
# Each dashboard runs in a detached tmux session of 120x40.
set -eu
streamtop=$1
work=$2
seconds=${3:-60}
command -v tmux >/dev/null || { echo "bench_dashboard: tmux is not installed" >&2; exit 1; }
mkdir -p "$work"
dir=$(mktemp -d "$work/dashboard.XXXXXX")
# A tmux server per session: one whose last session ended may still be
# shutting down when the next starts.
sock="bench-dashboard-$$"
trap 'for s in idle demo; do tmux -L "$sock-$s" kill-server 2>/dev/null || true; done
      [ -z "$sim" ] || kill "$sim" 2>/dev/null || true; rm -rf "$dir"' EXIT
export LC_ALL=C.UTF-8 HOME="$dir" STREAMTOP_STREAM_KEY=bench
sim=

# CPU ticks (user + system) and RSS (KiB) of a process.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# start NAME COMMAND: runs COMMAND in tmux; prints the streamtop pid (the
# pane's own process when the shell exec'd it, else its child).
start() {
    tmux -L "$sock-$1" -f /dev/null new-session -d -s "$1" -x 120 -y 40 "$2"
    for _ in $(seq 100); do
        pane=$(tmux -L "$sock-$1" display-message -p -t "$1" '#{pane_pid}')
        if tr '\0' ' ' <"/proc/$pane/cmdline" | grep -q streamtop; then
            pid=$pane
        else
            pid=$(pgrep -P "$pane" -f streamtop || true)
        fi
        [ -n "$pid" ] && { echo "$pid"; return; }
        sleep 0.1
    done
    echo "bench_dashboard: $1 did not start" >&2
    exit 1
}

# A quiet database: a thousand events, ten failures, nobody writing.
"$streamtop" simulate --port 0 --count 1000 --rate 100000 --faults garbage:100 \
    >"$dir/sim.out" 2>/dev/null &
sim=$!
while ! grep -q listening "$dir/sim.out" 2>/dev/null; do sleep 0.05; done
url=$(sed -n 's/.*listening on //p' "$dir/sim.out")
"$streamtop" ingest --db "$dir/quiet.db" --url "$url" 2>/dev/null &
ingest=$!
while [ "$(sqlite3 "$dir/quiet.db" 'SELECT count(*) FROM stream_events_log' 2>/dev/null || echo 0)" -lt 1010 ]; do
    sleep 0.1
done
kill "$ingest"; wait "$ingest" || true
kill "$sim"; wait "$sim" 2>/dev/null || true
sim=

hz=$(getconf CLK_TCK)
pid=$(start idle "'$streamtop' --read-only --db '$dir/quiet.db'")
sleep 3
t0=$(ticks "$pid"); r0=$(rss "$pid")
sleep "$seconds"
t1=$(ticks "$pid"); r1=$(rss "$pid")
awk -v t="$((t1 - t0))" -v hz="$hz" -v s="$seconds" -v r0="$r0" -v r1="$r1" 'BEGIN {
    printf "idle dashboard, %d s: CPU %.3f%% of one core (%d ticks at %d Hz); RSS %.1f -> %.1f MiB\n",
           s, 100 * t / hz / s, t, hz, r0 / 1024, r1 / 1024 }'
tmux -L "$sock-idle" send-keys -t idle q

pid=$(start demo "'$streamtop' demo --rate 500 --db '$dir/demo.db'")
printf 'demo (events flowing), RSS:'
for at in 10 "$seconds" "$((seconds * 2))" "$((seconds * 4))"; do
    sleep "$((at - ${last:-0}))"
    last=$at
    awk -v r="$(rss "$pid")" -v at="$at" 'BEGIN { printf " %.1f MiB at %d s,", r / 1024, at }'
done
echo " events stored: $(sqlite3 "$dir/demo.db" 'SELECT count(*) FROM stream_events_log')"
tmux -L "$sock-demo" send-keys -t demo q
