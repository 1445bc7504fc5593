#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hand-made session-sync datagrams for test_cluster_badinput.sh.

Plays a peer of a running node (the wire format of ctrl/cluster/sync_wire.h,
version 3: a 112-byte header, 92-byte records, HMAC-SHA256 over the rest
with the shared key, its id the first byte of the key's SHA-256; node-list
digest 0, so the node ignores this fake peer's heartbeat maps):

  sync_craft.py send --key F --state F --bind IP:PORT --to IP:PORT
                     --me NAME --node NAME CASE [--count N] [--vip IP] [--laddr IP]
      hello         wait for a datagram of the node (its MAC checked with
                    the key: this tool's HMAC is the node's), learn its
                    epoch, then send a valid heartbeat bound to it
      valid         a valid heartbeat (with --bind elsewhere: an unknown peer)
      bad-hmac      a heartbeat whose MAC has one bit flipped
      bad-version   a heartbeat of version 4, sealed with the key
      truncated     a records datagram cut inside its second record
      short         fewer bytes than a header and MAC
      replay        a valid heartbeat, then the same datagram again
      records       --count valid records (connections to --vip port 80,
                    server 198.18.1.11:8080, local address --laddr)
  sync_craft.py counters STATUS STATS PEER
      the refusal counters, connections held and the table's size, flat
      JSON, from `cluster status` and `stats` (--json) of the node
  sync_craft.py delta BEFORE AFTER [NAME=N ...]
      exit 0 when every counter moved by exactly its N (0 when not named);
      prints the ones that did not

STATE (JSON) keeps the node's epoch as learnt and this peer's sequence.
The standard library only (hmac, hashlib).
"""
import argparse
import hashlib
import hmac
import ipaddress
import json
import socket
import struct
import sys

MAGIC = b"SLSY"
VERSION = 3
HDR_LEN, REC_LEN, MAC_LEN, NAME_LEN = 112, 92, 32, 32
T_RECORDS, T_HEARTBEAT = 1, 2
MY_EPOCH = 7  # this fake peer's boot counter
TCP, ESTABLISHED, EV_NEW = 6, 3, 1


def header(typ, count, seq, rcv_epoch, me, node, version=VERSION, key_id=0):
    h = MAGIC + struct.pack(">BBBBHHQQQII", version, typ, 0, key_id, count, 1,
                            MY_EPOCH, seq, rcv_epoch, 0, 0)
    h += me.encode().ljust(NAME_LEN, b"\0") + node.encode().ljust(NAME_LEN, b"\0")
    h += struct.pack(">I", 0)  # node-list digest: none (maps ignored)
    assert len(h) == HDR_LEN
    return h


def addr16(ip):
    return ipaddress.IPv4Address(ip).packed + bytes(12)


def record(k, vip, laddr):
    """A TCP connection 198.18.10.1:(20000+k) -> vip:80 -> 198.18.1.11:8080
    from laddr:(20000+k), ESTABLISHED, a minute left, just opened."""
    port = struct.pack(">H", 20000 + k)
    r = (addr16("198.18.10.1") + addr16(vip) + addr16("198.18.1.11") + addr16(laddr) +
         port + struct.pack(">H", 80) + struct.pack(">H", 8080) + port +
         struct.pack(">III", 60000, 0, 0) + bytes([4, 4, TCP, ESTABLISHED, 0, EV_NEW]) +
         bytes(2))
    assert len(r) == REC_LEN
    return r


def seal(key, body):
    return body + hmac.new(key, body, hashlib.sha256).digest()


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def learn_epoch(sock, key):
    """The node's epoch from one of its datagrams, whose MAC must check."""
    sock.settimeout(5)
    while True:
        data, _ = sock.recvfrom(65536)
        body, mac = data[:-MAC_LEN], data[-MAC_LEN:]
        if data[:4] == MAGIC and hmac.compare_digest(
                hmac.new(key, body, hashlib.sha256).digest(), mac):
            return struct.unpack_from(">Q", data, 12)[0]
        sys.exit("a datagram from the node whose MAC this tool does not compute")


def send(args):
    key = open(args.key, "rb").read()
    key_id = hashlib.sha256(key).digest()[0]
    try:
        st = json.load(open(args.state))
    except FileNotFoundError:
        st = {"epoch": 0, "seq": 0}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(hostport(args.bind))
    if args.case == "hello":
        st["epoch"] = learn_epoch(sock, key)

    def hdr(typ=T_HEARTBEAT, count=0, **kw):
        st["seq"] += 1
        return header(typ, count, st["seq"], st["epoch"], args.me, args.node,
                      key_id=key_id, **kw)

    dgrams = []
    if args.case in ("hello", "valid"):
        dgrams = [seal(key, hdr())]
    elif args.case == "bad-hmac":
        d = bytearray(seal(key, hdr()))
        d[-1] ^= 1
        dgrams = [bytes(d)]
    elif args.case == "bad-version":
        dgrams = [seal(key, hdr(version=VERSION + 1))]
    elif args.case == "truncated":
        recs = record(0, args.vip, args.laddr) + record(1, args.vip, args.laddr)
        dgrams = [seal(key, hdr(T_RECORDS, 2) + recs[:REC_LEN + 40])]
    elif args.case == "short":
        dgrams = [hdr()[:HDR_LEN // 2]]
    elif args.case == "replay":
        d = seal(key, hdr())
        dgrams = [d, d]
    elif args.case == "records":
        recs = [record(k, args.vip, args.laddr) for k in range(args.count)]
        per = 14  # a 1452-byte datagram's worth
        for i in range(0, len(recs), per):
            chunk = recs[i:i + per]
            dgrams.append(seal(key, hdr(T_RECORDS, len(chunk)) + b"".join(chunk)))
    for d in dgrams:
        sock.sendto(d, hostport(args.to))
    json.dump(st, open(args.state, "w"))
    print(json.dumps({"case": args.case, "datagrams": len(dgrams), "node_epoch": st["epoch"],
                      "seq": st["seq"]}))


# What became of a record in a worker besides a refusal: each hostile case
# must leave all of these but its own (a record ignored as late or as
# moving a TCP state back, or taking another entry's place, is a case's
# side effect the test would otherwise miss).
WORKER_OUTCOMES = ("installed", "conflicts", "no_memory", "late", "backwards", "reopened",
                   "replaced", "gone_ignored")


def counters(args):
    status = json.load(open(args.status))
    stats = json.load(open(args.stats))
    peer = [p for p in status["peers"] if p["name"] == args.peer][0]
    c = dict(peer["counters"])
    for k in ("rx_datagrams", "rx_records", "tx_datagrams", "tx_records", "tx_errors", "lost",
              "deaths", "restarts", "dumps_sent", "dumps_received", "unbound",
              "dump_retries", "dump_short", "dump_stale_end", "late_dumps",
              "maps_ignored"):
        c.pop(k, None)  # what a fake peer's own traffic moves anyway
    c["connections_held"] = peer["connections_held"]
    c["unknown_peer"] = status["counters"]["unknown_peer"]
    for part in ("sync", "workers"):  # the control thread's and the workers' stages
        for k, v in (status.get(part) or {}).items():
            if k.startswith("refused") or k in WORKER_OUTCOMES:
                c[part + "." + k] = v
    c["conns_active"] = stats["totals"]["conns_active"]
    json.dump(c, sys.stdout, sort_keys=True)
    print()


def delta(args):
    a, b = json.load(open(args.before)), json.load(open(args.after))
    want = {}
    for w in args.want:
        name, n = w.split("=")
        want[name] = int(n)
    bad = [f"{k}: moved {b[k] - a.get(k, 0)}, want {want.get(k, 0)}"
           for k in sorted(b) if b[k] - a.get(k, 0) != want.get(k, 0)]
    bad += [f"{k}: no such counter" for k in want if k not in b]
    print("\n".join(bad) if bad else "as expected: " + (" ".join(args.want) or "nothing moved"))
    sys.exit(1 if bad else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    for o in ("--key", "--state", "--bind", "--to", "--me", "--node"):
        s.add_argument(o, required=True)
    s.add_argument("case", choices=["hello", "valid", "bad-hmac", "bad-version", "truncated",
                                    "short", "replay", "records"])
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--vip", default="198.18.2.100")
    s.add_argument("--laddr", default="198.18.3.12")
    c = sub.add_parser("counters")
    c.add_argument("status")
    c.add_argument("stats")
    c.add_argument("peer")
    d = sub.add_parser("delta")
    d.add_argument("before")
    d.add_argument("after")
    d.add_argument("want", nargs="*")
    args = ap.parse_args()
    {"send": send, "counters": counters, "delta": delta}[args.cmd](args)


if __name__ == "__main__":
    main()
