#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Echo traffic for the cluster failover test (test_cluster_failover.sh).

  echo_load.py serve --port P
      a TCP echo server on the kernel stack: every byte comes back.
  echo_load.py run --dst IP:PORT --ready F --stop F --out F [--kill F] ...
      --long N connections, each sending a sequence-numbered line every
      --interval s and checking that its echo comes back byte for byte, in
      order; meanwhile new connections at --new-rate a second (connect, one
      line, its echo, close). Writes F --ready once all N have echoed (the
      time, then a line of their client ports, by number); stops
      sending when F --stop exists; waits up to --drain s for the echoes
      still due; then writes a JSON summary to F --out (below) and exits.

A long-lived connection is broken when it is reset, closed, errs, echoes
a byte that was not sent, or still owes echoes at the end of the drain.
A new connection fails when it is refused, reset or not echoed within
--deadline s; it is delayed when it was echoed but the kernel had to
retransmit (its SYN or its line: tcp_info's total_retrans), which a loaded
machine's scheduling alone never causes. With --kill F (the kill's Unix
time, written by the test), the summary says when the failed and delayed
ones started, relative to it.

Summary: {"long": {"opened", "broken", "broken_detail", "broken_list"
(each {"cid", "port": its client port, "why", "at_ms": when it was found
broken, relative to the kill}), "lines_sent", "lines_echoed",
"max_echo_ms"}, "new": {"attempts", "ok", "failed",
"delayed", "first_ms", "last_ms", "span_ms", "detail"}}. One thread, one
selector, the standard library only.
"""
import argparse
import collections
import heapq
import json
import os
import selectors
import socket
import struct
import sys
import time

PAD = b"x" * 24


def serve(args):
    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", args.port))
    lsock.listen(1024)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, None)
    print(f"echo server listening on :{args.port}", file=sys.stderr, flush=True)
    pending = {}  # sock -> bytes not yet written back
    while True:
        for key, ev in sel.select():
            s = key.fileobj
            if s is lsock:
                try:
                    c, _ = lsock.accept()
                except OSError:
                    continue
                c.setblocking(False)
                pending[c] = bytearray()
                sel.register(c, selectors.EVENT_READ, None)
                continue
            buf = pending[s]
            try:
                if ev & selectors.EVENT_READ:
                    data = s.recv(65536)
                    if not data:
                        raise ConnectionError("closed")
                    buf += data
                if buf:
                    n = s.send(buf)
                    del buf[:n]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                sel.unregister(s)
                s.close()
                del pending[s]
                continue
            sel.modify(s, selectors.EVENT_READ | (selectors.EVENT_WRITE if buf else 0), None)


class Long:
    """One long-lived connection: what it sent and still awaits."""

    def __init__(self, cid, dst, now):
        self.cid, self.seq = cid, 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex(dst)
        self.connected = False
        self.out = bytearray()      # to write
        self.expect = bytearray()   # written (or to write), not yet echoed
        self.lines = collections.deque()  # (bytes left of the line, time sent)
        self.echoed = 0
        self.broken = None
        self.broken_at = None
        self.port = None
        self.opened_at = now

    def queue_line(self, now):
        line = b"L%03d %06d " % (self.cid, self.seq) + PAD + b"\n"
        self.seq += 1
        self.out += line
        self.expect += line
        self.lines.append([len(line), now])

    def got(self, data, now, stats):
        if self.expect[:len(data)] != data:
            self.broken = f"echo mismatch after {self.echoed} lines"
            return
        del self.expect[:len(data)]
        n = len(data)
        while n and self.lines:
            take = min(n, self.lines[0][0])
            self.lines[0][0] -= take
            n -= take
            if self.lines[0][0] == 0:
                stats["max_echo_ms"] = max(stats["max_echo_ms"],
                                           int((now - self.lines[0][1]) * 1000))
                self.lines.popleft()
                self.echoed += 1


class New:
    """One new connection: connect, one line, its echo, close."""

    def __init__(self, k, dst, now):
        self.k, self.start = k, now
        self.line = b"N%06d " % k + PAD + b"\n"
        self.got = bytearray()
        self.sent = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.connect_ex(dst)


def flush(c):
    if c.out:
        n = c.sock.send(c.out)
        del c.out[:n]


def long_event(c, ev, now, stats):
    try:
        if not c.connected and ev & selectors.EVENT_WRITE:
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, os.strerror(err))
            c.connected = True
            c.port = c.sock.getsockname()[1]
        if ev & selectors.EVENT_READ:
            data = c.sock.recv(65536)
            if not data:
                c.broken = f"closed by the other side after {c.echoed} lines"
                return
            c.got(data, now, stats)
        if c.connected:
            flush(c)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError as e:
        c.broken = f"{e.strerror or e} after {c.echoed} lines"


def retransmits(sock):
    """tcp_info's tcpi_total_retrans (linux/tcp.h: 8 bytes of u8 fields,
    then u32s, the 24th of them): what the network lost of this
    connection, whatever this process's own scheduling delays."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return struct.unpack_from("I", info, 100)[0] if len(info) >= 104 else 0


def new_event(c, ev):
    """True when c is done (echoed); raises OSError when it failed."""
    if not c.sent and ev & selectors.EVENT_WRITE:
        err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise OSError(err, os.strerror(err))
        c.sock.send(c.line)  # 32 bytes into an empty buffer
        c.sent = True
    if ev & selectors.EVENT_READ:
        data = c.sock.recv(4096)
        if not data:
            raise OSError(0, "closed before the echo")
        c.got += data
    return bytes(c.got) == c.line


def mask(c):
    if isinstance(c, New):
        return selectors.EVENT_READ | (0 if c.sent else selectors.EVENT_WRITE)
    return selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out or not c.connected else 0)


def run(args):
    host, port = args.dst.rsplit(":", 1)
    dst = (host, int(port))
    sel = selectors.DefaultSelector()
    stats = {"max_echo_ms": 0}
    t0 = time.time()
    longs = [Long(i, dst, t0) for i in range(args.long)]
    for c in longs:
        c.mask = mask(c)
        sel.register(c.sock, c.mask, c)
    touched = set()  # long-lived connections whose selector mask may change
    # Each connection's sends spread over the interval: (when, cid).
    due = [(t0 + 0.2 + args.interval * i / args.long, i) for i in range(args.long)]
    news, new_log, k = {}, [], 0
    next_new = t0 + 0.5
    ready = stopping = False
    stop_at = None
    while True:
        now = time.time()
        if not stopping and os.path.exists(args.stop):
            stopping, stop_at = True, now
        if not ready and all(c.echoed > 0 or c.broken for c in longs):
            ready = True
            open(args.ready, "w").write(f"{now:.6f}\n" +
                                        " ".join(str(c.port) for c in longs) + "\n")
        if not ready and now - t0 > args.setup:
            break  # never got going: the summary says how far it came
        if stopping and (now - stop_at > args.drain or
                         (not news and all(not c.expect or c.broken for c in longs))):
            break
        while not stopping and due[0][0] <= now:
            when, cid = heapq.heappop(due)
            c = longs[cid]
            heapq.heappush(due, (when + args.interval, cid))
            if not c.broken and c.connected:
                c.queue_line(now)
                long_event(c, 0, now, stats)
                touched.add(c)
        while not stopping and args.new_rate > 0 and now >= next_new:
            c = New(k, dst, now)
            k += 1
            news[c.sock] = c
            sel.register(c.sock, mask(c), c)
            next_new += 1.0 / args.new_rate
        for c in list(news.values()):
            if now - c.start > args.deadline:
                new_log.append((c.start, None, "no echo within the deadline"))
                end_new(sel, news, c)
        for c in touched:
            if c.broken and c.sock.fileno() >= 0:
                c.broken_at = now
                sel.unregister(c.sock)
                c.sock.close()
            elif c.sock.fileno() >= 0 and mask(c) != c.mask:
                c.mask = mask(c)
                sel.modify(c.sock, c.mask, c)
        touched.clear()
        for key, ev in sel.select(timeout=0.005):
            c = key.data
            if isinstance(c, Long):
                long_event(c, ev, now, stats)
                touched.add(c)
                continue
            try:
                if new_event(c, ev):
                    new_log.append((c.start, time.time() - c.start,
                                    "retransmitted" if retransmits(c.sock) else None))
                    end_new(sel, news, c)
                elif c.sock in news:
                    sel.modify(c.sock, mask(c), c)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as e:
                new_log.append((c.start, None, e.strerror or str(e)))
                end_new(sel, news, c)
    for c in longs:
        if not c.broken and (c.expect or not c.connected):
            c.broken = (f"{len(c.lines)} lines never echoed (of {c.seq})" if c.connected
                        else "never connected")
            c.broken_at = time.time()
        if c.sock.fileno() >= 0:
            c.sock.close()
    write_summary(args, longs, new_log, k, stats)


def end_new(sel, news, c):
    sel.unregister(c.sock)
    c.sock.close()
    news.pop(c.sock, None)


def write_summary(args, longs, new_log, attempts, stats):
    kill = None
    if args.kill and os.path.exists(args.kill):
        kill = float(open(args.kill).read().split()[0])
    bad = [(s, lat, why) for s, lat, why in new_log if why]
    rel = [int((s - kill) * 1000) for s, _, _ in bad] if kill else []
    summary = {
        "long": {
            "opened": sum(1 for c in longs if c.connected),
            "broken": sum(1 for c in longs if c.broken),
            "broken_detail": [f"L{c.cid:03d}: {c.broken}" for c in longs if c.broken][:20],
            "broken_list": [{"cid": c.cid, "port": c.port, "why": c.broken,
                             "at_ms": int((c.broken_at - kill) * 1000) if kill else None}
                            for c in longs if c.broken][:20],
            "lines_sent": sum(c.seq for c in longs),
            "lines_echoed": sum(c.echoed for c in longs),
            "max_echo_ms": stats["max_echo_ms"],
        },
        "new": {
            "attempts": attempts,
            "finished": len(new_log),
            "ok": sum(1 for _, lat, why in new_log if not why),
            "failed": sum(1 for _, lat, why in new_log if why and lat is None),
            "delayed": sum(1 for _, lat, why in new_log if why and lat is not None),
            "first_ms": min(rel) if rel else None,
            "last_ms": max(rel) if rel else None,
            "span_ms": max(rel) - min(rel) if rel else 0,
            "detail": [f"{(s - kill) * 1000 if kill else s:+.0f}: " +
                       (why if lat is None else f"{why}, echoed after {int(lat * 1000)} ms")
                       for s, lat, why in bad][:30],
        },
    }
    with open(args.out + ".tmp", "w") as f:
        json.dump(summary, f, indent=1)
    os.rename(args.out + ".tmp", args.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    r = sub.add_parser("run")
    r.add_argument("--dst", required=True, help="IP:PORT")
    r.add_argument("--long", type=int, default=200)
    r.add_argument("--interval", type=float, default=0.1)
    r.add_argument("--new-rate", type=float, default=50)
    r.add_argument("--deadline", type=float, default=3.0)
    r.add_argument("--setup", type=float, default=15, help="longest wait for --ready")
    r.add_argument("--drain", type=float, default=10)
    r.add_argument("--ready", required=True)
    r.add_argument("--stop", required=True)
    r.add_argument("--kill")
    r.add_argument("--out", required=True)
    args = ap.parse_args()
    serve(args) if args.cmd == "serve" else run(args)


if __name__ == "__main__":
    main()
