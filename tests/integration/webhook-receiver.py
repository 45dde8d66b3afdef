#!/usr/bin/env python3
"""A webhook receiver for the tests: checks each delivery's Standard Webhooks
signature, logs one JSON line per request, and answers 500 to the first
FAIL requests, then 200.

usage: webhook-receiver.py PORT PORTFILE LOG SECRET FAIL
Binds 127.0.0.1:PORT (0: a free port) and writes the port to PORTFILE."""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

port, port_file, log_path, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
fail_first = int(sys.argv[5])
key = base64.b64decode(secret[len("whsec_"):])
seen = 0


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp", "")
        signed = f"{msg_id}.{ts}.".encode() + body
        want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        given = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split()
                 if s.startswith("v1,")]
        valid = any(hmac.compare_digest(want, g) for g in given)
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        status = 500 if seen <= fail_first else 200
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        with open(log_path, "a") as log:
            log.write(json.dumps({"id": msg_id, "valid": valid, "fresh": fresh, "status": status,
                                  "type": payload and payload.get("type"),
                                  "data": payload and payload.get("data")}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer.allow_reuse_address = True
server = HTTPServer(("127.0.0.1", port), Receiver)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
