#!/usr/bin/env python3
"""Load for bench_api.sh: CLIENTS threads, each with a keep-alive
connection, GET the paths in turn for SECONDS; prints one line per path:
requests per second, p50 and p99 latency, errors.

usage: api_load.py HOST:PORT KEY SECONDS CLIENTS PATH..."""
import http.client
import sys
import threading
import time

addr, key, seconds, clients, paths = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
host, port = addr.rsplit(":", 1)
results = {p: [] for p in paths}
errors = {p: 0 for p in paths}
lock = threading.Lock()
deadline = time.monotonic() + seconds


def client(n):
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    mine = {p: [] for p in paths}
    bad = {p: 0 for p in paths}
    i = n
    while time.monotonic() < deadline:
        p = paths[i % len(paths)]
        i += 1
        t = time.monotonic()
        try:
            conn.request("GET", p, headers={"Authorization": "Bearer " + key})
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        if ok:
            mine[p].append(time.monotonic() - t)
        else:
            bad[p] += 1
    with lock:
        for p in paths:
            results[p] += mine[p]
            errors[p] += bad[p]


threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
start = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - start
for p in paths:
    lat = sorted(results[p])
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] * 1000 if lat else float("nan")
    print(f"{p:12s} {len(lat) / elapsed:8.0f} req/s  p50 {q(0.5):6.1f} ms  p99 {q(0.99):6.1f} ms  errors {errors[p]}")
