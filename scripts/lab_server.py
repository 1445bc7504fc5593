#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Real-server stand-in for the namespace lab (runs in one P-rsI namespace).

One process serves, on the kernel stack:
  HTTP on --http-port (default 8080):
    GET  /whoami         -> "NAME\n"
    GET  /health         -> 200 "ok\n" (500 "sick\n" under the fault health-500)
    GET  /files/FILE     -> the bytes of FILES_DIR/FILE (bulk tests), via sendfile
    GET  /sleep?ms=N     -> "NAME\n" after N ms (N <= 10000): a request in flight
    PUT|POST /sha256     -> "NAME SHA256HEX LENGTH\n" of the request body
  UDP on --udp-port (default 5353): answers every datagram with b"NAME:" + payload
    (under the fault udp-mute: logs it, answers nothing).

--faults FILE: words read from FILE on each /health request and datagram
(scripts/lab_servers.sh: lab_server_fault), so a test makes a live server
fail its health checks and recover without restarting it.

Every request is appended to --log as one line
    "<unix time> <tcp|udp> <peer ip> <peer port> <method> <path>"
so tests can see which source address the server saw (full-NAT: the local
address, never the client). HTTP/1.0 with "Connection: close": one request per
connection, and the server closes first.

Called by scripts/lab_lib.sh (lab_servers_start); uses the standard library only.
"""
import argparse
import hashlib
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_LOCK = threading.Lock()


def faults(path):
    """The fault words FILE holds now (none when it is missing)."""
    try:
        with open(path) as f:
            return set(f.read().split())
    except OSError:
        return set()


def log_line(logf, kind, peer, method, path):
    with LOG_LOCK:
        logf.write(f"{time.time():.6f} {kind} {peer[0]} {peer[1]} {method} {path}\n")
        logf.flush()


def make_handler(name, files_dir, logf, faults_path):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"
        server_version = "sluice-lab"

        def log_message(self, fmt, *args):  # quiet: we keep our own log
            pass

        def _reply(self, code, body, ctype="text/plain"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            log_line(logf, "tcp", self.client_address, "GET", self.path)
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/whoami":
                self._reply(200, f"{name}\n".encode())
            elif url.path == "/health":
                if "health-500" in faults(faults_path):
                    self._reply(500, b"sick\n")
                else:
                    self._reply(200, b"ok\n")
            elif url.path == "/sleep":
                q = urllib.parse.parse_qs(url.query)
                ms = min(int(q.get("ms", ["0"])[0]), 10000)
                time.sleep(ms / 1000.0)
                self._reply(200, f"{name}\n".encode())
            elif url.path.startswith("/files/"):
                fname = os.path.basename(url.path[len("/files/"):])
                fpath = os.path.join(files_dir, fname)
                if not fname or not os.path.isfile(fpath):
                    self._reply(404, b"not found\n")
                    return
                size = os.path.getsize(fpath)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                with open(fpath, "rb") as f:
                    self.connection.sendfile(f)
            else:
                self._reply(404, b"not found\n")

        def _digest_body(self):
            log_line(logf, "tcp", self.client_address, self.command, self.path)
            length = int(self.headers.get("Content-Length", "0"))
            h = hashlib.sha256()
            left = length
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            got = length - left
            self._reply(200, f"{name} {h.hexdigest()} {got}\n".encode())

        do_PUT = _digest_body
        do_POST = _digest_body

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # Resets and timeouts are part of the tests (RST path); no tracebacks.
        exc = sys.exc_info()[1]
        sys.stderr.write(f"http: {client_address}: {exc!r}\n")


def udp_socket(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    return s


def udp_loop(s, name, logf, faults_path):
    prefix = f"{name}:".encode()
    while True:
        data, peer = s.recvfrom(65535)
        log_line(logf, "udp", peer, "DGRAM", str(len(data)))
        if "udp-mute" in faults(faults_path):
            continue
        try:
            s.sendto(prefix + data, peer)
        except OSError as e:
            sys.stderr.write(f"udp: sendto {peer}: {e!r}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--http-port", type=int, default=8080)
    ap.add_argument("--udp-port", type=int, default=5353)
    ap.add_argument("--files", default="/nonexistent")
    ap.add_argument("--log", required=True)
    ap.add_argument("--faults", default="/nonexistent")
    a = ap.parse_args()

    logf = open(a.log, "a", buffering=1)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    httpd = QuietServer(("0.0.0.0", a.http_port), make_handler(a.name, a.files, logf, a.faults))
    t_listen = time.time()  # bound and listening: what a health check sees
    # Bound here, not in the thread: "ready" below must follow both binds
    # (datagrams that arrive before the loop runs wait in the socket).
    udp = udp_socket(a.udp_port)
    t = threading.Thread(target=udp_loop, args=(udp, a.name, logf, a.faults), daemon=True)
    t.start()
    sys.stderr.write(f"{a.name}: http :{a.http_port} udp :{a.udp_port} ready "
                     f"(http listening since {t_listen:.6f})\n")
    sys.stderr.flush()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
