#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile clients for the robustness tests (tests/e2e/test_h6_*.sh), standard
library only. Every loop has a fixed count and every wait a timeout; packets
go only to the addresses given (the lab's, 198.18.0.0/15).

  syn-flood DST DPORT -n N [--src-net NET/LEN]
                        N TCP SYNs from random addresses of NET and random
                        ports, raw socket; prints {"sent", "seconds"}
  spoof-pings DST -n N --src-net NET/LEN
                        N ICMP echo requests from random addresses of NET
  rst-inject SRC SPORT DST DPORT --seq SEQ [-n N]
                        N RSTs with sequence number SEQ on that 4-tuple
  capture-isn IFACE SPORT [--timeout S] [--ready FILE]
                        wait for a SYN leaving from local port SPORT on
                        IFACE; print its sequence number (FILE is created
                        once the capture socket is open)
  udp-flow SPORT DST DPORT -n N [--size B]
                        N datagrams of one flow (a fixed source port)
  ctl-fairness SOCKET [--requests N]
                        a silent client holding half a line, a client that
                        sends 2000 requests and never reads, then N timed
                        requests on a fresh connection; prints
                        {"answered", "max_ms"}
  raw SOCKET LINE [--pass-ro FILE]
                        send LINE's bytes exactly as given (invalid UTF-8
                        too), FILE's descriptor (opened read-only) with
                        them; print the answer line
  many-clients SOCKET -n N
                        N clients connect at once and ask for stats; prints
                        {"ok", "failed", "errors"}
  arp-churn IFACE TARGET FIRST -n N --rate R --seconds S
                        ARP requests for TARGET from senders FIRST..FIRST+N-1,
                        every one with a new sender MAC, R a second for S
                        seconds; prints {"sent"}
  stats-latency SOCKET --seconds S [--gap-ms G]
                        `stats` every G ms for S seconds; prints
                        {"n", "p95_ms", "max_ms"}

Run with /usr/bin/python3, as root (raw sockets), inside the lab.
"""
import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import threading
import time


from lab_tool import csum  # the Internet checksum, shared with the lab's tools


def raw_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    return s


def ip_header(src, dst, proto, payload_len):
    # The kernel fills in the header checksum of IP_HDRINCL packets.
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0, 0x4000, 64,
                       proto, 0, src, dst)


def tcp_segment(src, dst, sport, dport, seq, flags):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 29200, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr))
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def random_hosts(net, n):
    net = ipaddress.ip_network(net)
    first, size = int(net.network_address) + 1, max(1, net.num_addresses - 2)
    rnd = random.Random(42)
    return [struct.pack("!I", first + rnd.randrange(size)) for _ in range(n)]


def cmd_syn_flood(a):
    s = raw_socket()
    dst = socket.inet_aton(a.dst)
    srcs = random_hosts(a.src_net, 4096)
    rnd = random.Random(7)
    t0 = time.time()
    for i in range(a.n):
        src = srcs[i % len(srcs)]
        seg = tcp_segment(src, dst, 1024 + rnd.randrange(64000), a.dport,
                          rnd.randrange(1 << 32), 0x02)
        try:
            s.sendto(ip_header(src, dst, 6, len(seg)) + seg, (a.dst, 0))
        except OSError:  # a full qdisc: count it as not sent, go on
            a.failed = getattr(a, "failed", 0) + 1
    print(json.dumps({"sent": a.n - getattr(a, "failed", 0),
                      "seconds": round(time.time() - t0, 2)}))


def cmd_spoof_pings(a):
    s = raw_socket()
    dst = socket.inet_aton(a.dst)
    srcs = random_hosts(a.src_net, a.n)
    for i, src in enumerate(srcs):
        body = struct.pack("!BBHHH", 8, 0, 0, 0x6806, i & 0xFFFF) + b"h6" * 8
        body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        s.sendto(ip_header(src, dst, 1, len(body)) + body, (a.dst, 0))
    print(json.dumps({"sent": a.n}))


def cmd_rst_inject(a):
    s = raw_socket()
    src, dst = socket.inet_aton(a.src), socket.inet_aton(a.dst)
    seg = tcp_segment(src, dst, a.sport, a.dport, a.seq & 0xFFFFFFFF, 0x04)
    for _ in range(a.n):
        s.sendto(ip_header(src, dst, 6, len(seg)) + seg, (a.dst, 0))
    print(json.dumps({"sent": a.n}))


def cmd_capture_isn(a):
    # ETH_P_ALL: only "all protocols" packet sockets see outgoing frames.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((a.iface, 0))
    s.settimeout(0.2)
    if a.ready:
        open(a.ready, "w").close()
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 0xF) * 4
        tcp = f[14 + ihl:]
        sport, = struct.unpack("!H", tcp[:2])
        if sport == a.sport and tcp[13] & 0x12 == 0x02:
            print(struct.unpack("!I", tcp[4:8])[0], flush=True)
            return 0
    print("none", flush=True)
    return 1


def cmd_udp_flow(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("", a.sport))
    data = b"x" * a.size
    sent = 0
    for _ in range(a.n):
        try:
            s.sendto(data, (a.dst, a.dport))
            sent += 1
        except OSError:
            time.sleep(0.0005)
    print(json.dumps({"sent": sent}))


def request(sock_path, line, timeout=5.0, fds=()):
    """One request line (str, or bytes sent exactly as given), descriptors
    `fds` passed with it; the answer."""
    data = line if isinstance(line, bytes) else line.encode()
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect(sock_path)
    if fds:
        socket.send_fds(c, [data + b"\n"], list(fds))
    else:
        c.sendall(data + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        buf += chunk
    c.close()
    return buf


def cmd_raw(a):
    fds = [os.open(a.pass_ro, os.O_RDONLY)] if a.pass_ro else []
    buf = request(a.socket, os.fsencode(a.line), timeout=10, fds=fds)
    print(buf.decode(errors="replace").rstrip("\n") or "<closed>")


def cmd_ctl_fairness(a):
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(a.socket)
    silent.sendall(b'{"cmd": "he')          # half a line, then nothing
    greedy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    greedy.connect(a.socket)
    greedy.setblocking(False)
    line = b'{"cmd":"config.show"}\n'
    pushed = 0
    for _ in range(2000):                     # never reads a single answer
        try:
            greedy.send(line)
            pushed += 1
        except BlockingIOError:
            break
    worst, answered = 0.0, 0
    for _ in range(a.requests):
        t0 = time.time()
        try:
            if b'"ok":true' in request(a.socket, '{"cmd":"stats"}'):
                answered += 1
        except OSError:
            pass
        worst = max(worst, time.time() - t0)
    silent.close()
    greedy.close()
    print(json.dumps({"answered": answered, "max_ms": round(worst * 1000, 1),
                      "greedy_sent": pushed}))


def cmd_many_clients(a):
    barrier = threading.Barrier(a.n)
    results = {"ok": 0, "failed": 0, "errors": []}
    lock = threading.Lock()

    def one():
        try:
            barrier.wait(timeout=10)
            ok = b'"ok":true' in request(a.socket, '{"cmd":"stats"}', timeout=20)
            err = None if ok else "no ok answer"
        except Exception as e:  # any failure counts, with its reason
            ok, err = False, repr(e)
        with lock:
            results["ok" if ok else "failed"] += 1
            if err and len(results["errors"]) < 5:
                results["errors"].append(err)

    threads = [threading.Thread(target=one) for _ in range(a.n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    print(json.dumps(results))


def cmd_arp_churn(a):
    """ARP requests for `target` from `n` on-link senders, each round with
    new sender MACs, `rate` changes a second for `seconds`."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    base = int(ipaddress.IPv4Address(a.first))
    target = socket.inet_aton(a.target)
    sent, t0 = 0, time.time()
    while time.time() - t0 < a.seconds:
        k = sent % a.n
        mac = bytes([0x02, 0x5e, (sent >> 16) & 0xFF, (sent >> 8) & 0xFF, sent & 0xFF, k])
        sender = struct.pack("!I", base + k)
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + sender + bytes(6) + target
        s.send(b"\xff" * 6 + mac + b"\x08\x06" + arp + bytes(18))
        sent += 1
        time.sleep(max(0.0, t0 + sent / a.rate - time.time()))
    print(json.dumps({"sent": sent}))


def cmd_stats_latency(a):
    """`stats` round trips for `seconds`: how many, their 95th percentile
    and worst, in milliseconds."""
    times, t0 = [], time.time()
    while time.time() - t0 < a.seconds:
        t = time.time()
        if b'"ok":true' not in request(a.socket, '{"cmd":"stats"}'):
            times.append(float("inf"))
        else:
            times.append((time.time() - t) * 1000)
        time.sleep(a.gap_ms / 1000)
    times.sort()
    print(json.dumps({"n": len(times), "p95_ms": round(times[int(len(times) * 0.95)], 1),
                      "max_ms": round(times[-1], 1)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("syn-flood")
    p.add_argument("dst")
    p.add_argument("dport", type=int)
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--src-net", default="198.19.0.0/16")
    p.set_defaults(fn=cmd_syn_flood)
    p = sub.add_parser("spoof-pings")
    p.add_argument("dst")
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--src-net", required=True)
    p.set_defaults(fn=cmd_spoof_pings)
    p = sub.add_parser("rst-inject")
    p.add_argument("src")
    p.add_argument("sport", type=int)
    p.add_argument("dst")
    p.add_argument("dport", type=int)
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("-n", type=int, default=1)
    p.set_defaults(fn=cmd_rst_inject)
    p = sub.add_parser("capture-isn")
    p.add_argument("iface")
    p.add_argument("sport", type=int)
    p.add_argument("--timeout", type=float, default=5)
    p.add_argument("--ready", help="file to create once capturing")
    p.set_defaults(fn=cmd_capture_isn)
    p = sub.add_parser("udp-flow")
    p.add_argument("sport", type=int)
    p.add_argument("dst")
    p.add_argument("dport", type=int)
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--size", type=int, default=64)
    p.set_defaults(fn=cmd_udp_flow)
    p = sub.add_parser("ctl-fairness")
    p.add_argument("socket")
    p.add_argument("--requests", type=int, default=20)
    p.set_defaults(fn=cmd_ctl_fairness)
    p = sub.add_parser("raw")
    p.add_argument("socket")
    p.add_argument("line")
    p.add_argument("--pass-ro", help="pass FILE opened read-only (SCM_RIGHTS)")
    p.set_defaults(fn=cmd_raw)
    p = sub.add_parser("many-clients")
    p.add_argument("socket")
    p.add_argument("-n", type=int, required=True)
    p.set_defaults(fn=cmd_many_clients)
    p = sub.add_parser("arp-churn")
    p.add_argument("iface")
    p.add_argument("target")
    p.add_argument("first", help="first sender address; the next n-1 follow")
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.set_defaults(fn=cmd_arp_churn)
    p = sub.add_parser("stats-latency")
    p.add_argument("socket")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--gap-ms", type=float, default=20)
    p.set_defaults(fn=cmd_stats_latency)
    a = ap.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
