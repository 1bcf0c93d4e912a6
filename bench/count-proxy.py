#!/usr/bin/env python3
"""A reverse proxy that counts the requests it forwards: put in front of S3Proxy, it tells how many
storage requests Cargohold makes (bench/scale.sh). The Host header is forwarded unchanged, so AWS
signatures made for the proxy's address still verify.

    count-proxy.py LISTEN_PORT TARGET_PORT     forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT

GET /_count (not a valid bucket name) answers the counts so far as JSON: {"total": n, "GET": n, ...}.
"""
import http.client
import http.server
import json
import sys
import threading

LISTEN, TARGET = int(sys.argv[1]), int(sys.argv[2])
counts = {"total": 0}
lock = threading.Lock()
local = threading.local()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


def upstream():
    if getattr(local, "conn", None) is None:
        local.conn = http.client.HTTPConnection("127.0.0.1", TARGET, timeout=120)
    return local.conn


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        if self.path == "/_count":
            with lock:
                body = json.dumps(counts).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with lock:
            counts["total"] += 1
            counts[self.command] = counts.get(self.command, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        for attempt in (1, 2):   # a kept-alive connection the server closed meanwhile is opened again once
            try:
                conn = upstream()
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                break
            except (http.client.HTTPException, ConnectionError):
                local.conn = None
                if attempt == 2:
                    raise
        payload = response.read()
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and (key.lower() != "content-length" or self.command == "HEAD"):
                self.send_header(key, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", LISTEN), Handler)
server.daemon_threads = True
server.serve_forever()
