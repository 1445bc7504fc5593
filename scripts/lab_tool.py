#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Small client-side tools for the namespace lab, standard library only.

  ping HOST [-c N] [-W SEC] [--min M] [--id ID]
                                          ICMP echo over a raw socket (the lab
                                          has no ping binary); exit 0 when at
                                          least M replies came back (default 1);
                                          identifier ID (default: pid & 0xffff)
  udp-burst HOST PORT [-n N] [--tries T] [--timeout SEC]
                                          N requests, each from a new socket
                                          (new source port); prints a JSON
                                          summary: answered, failed, retries,
                                          by_server, errors
  udp-who HOST PORT --first IP --count N [--tries T] [--timeout SEC]
                                          one request from each of N source
                                          addresses FIRST, FIRST+1, ... (they
                                          must be the client's); prints JSON:
                                          by_source {address: server}, failed
  rst-client HOST PORT [--sport P] [--hold SEC]
                                          connect, send half a request, then
                                          close with SO_LINGER {1,0} (a RST)
  unix-raw SOCKET LINE...                 send each LINE on one Unix-socket
                                          connection, print each answer line
                                          (or "<closed>" / "<timeout>")
  json-get EXPR                           read JSON on stdin; unwrap a
                                          {"ok":..,"result":..} answer; print
                                          eval(EXPR) with r bound to it (JSON
                                          for lists/dicts, plain for scalars)
  http-loop HOST PORT PATH -n N [--gap SEC] [--timeout SEC]
                                          N sequential HTTP/1.0 GETs, one
                                          connection each, from one process
                                          (tens a second where curl's start-up
                                          allows a few): lab_curl_loop's lines
                                          (curl's exit codes: 7 refused, 28
                                          timeout, 56 other socket errors)
  tally FILE                              summarise a lab_curl_loop log as
                                          JSON: total, ok, failed, by_body

Run with /usr/bin/python3 (scripts/lab_lib.sh does).
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def cmd_ping(a):
    dst = socket.gethostbyname(a.host)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    if a.source:
        s.bind((a.source, 0))  # the source picks the VLAN (test_vlan.sh)
    ident = a.id if a.id is not None else os.getpid() & 0xFFFF
    received = 0
    for seq in range(1, a.count + 1):
        payload = struct.pack("!d", time.time()) + b"sluice-lab-ping!" * 3
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, seq) + payload
        t0 = time.time()
        s.sendto(pkt, (dst, 0))
        deadline = t0 + a.wait
        got = False
        while not got:
            left = deadline - time.time()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            data, peer = s.recvfrom(65535)
            ihl = (data[0] & 0x0F) * 4
            icmp = data[ihl:]
            if len(icmp) < 8 or peer[0] != dst:
                continue
            typ, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
            if typ == 0 and rid == ident and rseq == seq:
                if icmp[8:] != payload:
                    print(f"reply seq={seq} from {peer[0]}: payload differs")
                    continue
                if csum(icmp) != 0:
                    print(f"reply seq={seq} from {peer[0]}: bad ICMP checksum")
                    continue
                got = True
                received += 1
                print(f"reply from {peer[0]}: seq={seq} ttl={data[8]} "
                      f"time={(time.time() - t0) * 1000:.2f} ms")
        if not got:
            print(f"no reply for seq={seq}")
        if seq < a.count:
            time.sleep(a.interval)
    print(f"{a.count} sent, {received} received")
    return 0 if received >= a.min else 1


def cmd_udp_burst(a):
    res = {"requests": a.n, "answered": 0, "failed": 0, "retries": 0, "wrong": 0,
           "by_server": {}, "errors": [], "sports": 0}
    sports = set()
    for i in range(a.n):
        payload = f"q{i}-{os.getpid()}".encode()
        ok = False
        for t in range(a.tries):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.settimeout(a.timeout)
                s.connect((a.host, a.port))
                sports.add(s.getsockname()[1])
                s.send(payload)
                data, peer = s.recvfrom(65535)
                if peer != (a.host, a.port):
                    res["wrong"] += 1
                    res["errors"].append(f"req {i}: answer from {peer}")
                    continue
                name, sep, echoed = data.partition(b":")
                if not sep or echoed != payload:
                    res["wrong"] += 1
                    res["errors"].append(f"req {i}: bad answer {data[:60]!r}")
                    continue
                n = name.decode(errors="replace")
                res["by_server"][n] = res["by_server"].get(n, 0) + 1
                ok = True
                break
            except (socket.timeout, OSError) as e:
                if t + 1 < a.tries:
                    res["retries"] += 1
                else:
                    res["errors"].append(f"req {i}: {e!r}")
            finally:
                s.close()
        res["answered" if ok else "failed"] += 1
        if a.gap:
            time.sleep(a.gap)
    res["sports"] = len(sports)
    res["errors"] = res["errors"][:20]
    print(json.dumps(res, sort_keys=True))
    return 0 if res["failed"] == 0 else 1


def cmd_udp_who(a):
    first = struct.unpack("!I", socket.inet_aton(a.first))[0]
    res = {"by_source": {}, "failed": 0, "retries": 0}
    for i in range(a.count):
        src = socket.inet_ntoa(struct.pack("!I", first + i))
        for t in range(a.tries):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.settimeout(a.timeout)
                s.bind((src, 0))
                s.connect((a.host, a.port))
                s.send(b"who")
                name, sep, _ = s.recv(65535).partition(b":")
                if sep:
                    res["by_source"][src] = name.decode(errors="replace")
                    break
            except (socket.timeout, OSError):
                pass
            finally:
                s.close()
            res["retries"] += 1
        else:
            res["failed"] += 1
    print(json.dumps(res, sort_keys=True))
    return 0


def cmd_rst_client(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.sport:
        s.bind(("0.0.0.0", a.sport))
    s.settimeout(5)
    s.connect((a.host, a.port))
    print(f"connected {s.getsockname()[0]}:{s.getsockname()[1]} -> {a.host}:{a.port}")
    sys.stdout.flush()
    s.send(b"GET /whoami HTTP/1.0\r\n")  # half a request: server waits for more
    time.sleep(a.hold)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("reset sent")
    return 0


def cmd_unix_raw(a):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    s.connect(a.socket)
    f = s.makefile("rb")
    closed = False
    for line in a.lines:
        if closed:
            print("<closed>")
            continue
        try:
            s.sendall(line.encode() + b"\n")
            ans = f.readline()
        except socket.timeout:
            print("<timeout>")
            continue
        except OSError:
            ans = b""
        if not ans:
            closed = True
            print("<closed>")
        else:
            print(ans.decode(errors="replace").rstrip("\n"))
        sys.stdout.flush()
    return 0


def unwrap(doc):
    if isinstance(doc, dict) and "ok" in doc and ("result" in doc or "error" in doc):
        return doc.get("result", doc)
    return doc


def cmd_json_get(a):
    text = sys.stdin.read()
    try:
        r = unwrap(json.loads(text))
    except ValueError as e:
        print(f"json-get: not JSON ({e}): {text[:200]!r}", file=sys.stderr)
        return 3
    try:
        v = eval(a.expr, {"sum": sum, "len": len, "any": any, "all": all,
                          "sorted": sorted, "set": set, "min": min, "max": max},
                 {"r": r})
    except Exception as e:  # the expression is the caller's: report, do not crash
        print(f"json-get: {a.expr}: {e!r}", file=sys.stderr)
        return 4
    if isinstance(v, (dict, list)):
        print(json.dumps(v, sort_keys=True))
    elif isinstance(v, bool):
        print("true" if v else "false")
    elif v is None:
        print("null")
    else:
        print(v)
    return 0


def http_get_once(host, port, path, timeout):
    """One GET on a new connection: (rc, code, body, local port), rc as curl's."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    lport, data = 0, b""
    try:
        s.connect((host, port))
        lport = s.getsockname()[1]
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionRefusedError:
        return 7, "000", "-", lport
    except socket.timeout:
        return 28, "000", "-", lport
    except OSError:
        return 56, "000", "-", lport
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)
    code = status[1].decode() if len(status) > 1 and status[1].isdigit() else "000"
    body = body.decode(errors="replace").replace("\n", "").replace(" ", "_") or "-"
    return 0, code, body, lport


def cmd_http_loop(a):
    for i in range(1, a.n + 1):
        t0 = time.time()
        rc, code, body, lport = http_get_once(a.host, a.port, a.path, a.timeout)
        print(f"{i} {t0:.6f} {time.time():.6f} {rc} {code} {body} {lport}", flush=True)
        if a.gap:
            time.sleep(a.gap)
    return 0


def cmd_tally(a):
    total = ok = failed = 0
    by_body = {}
    fails = []
    with open(a.file) as f:
        for line in f:
            p = line.split()
            if len(p) < 5:
                continue
            total += 1
            rc, code = p[3], p[4]
            body = p[5] if len(p) > 5 else ""
            if rc == "0" and code == "200":
                ok += 1
                by_body[body] = by_body.get(body, 0) + 1
            else:
                failed += 1
                fails.append(line.strip())
    print(json.dumps({"total": total, "ok": ok, "failed": failed,
                      "by_body": by_body, "failures": fails[:20]}, sort_keys=True))
    return 0


def main():
    ap = argparse.ArgumentParser(description="sluice lab client tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ping")
    p.add_argument("host")
    p.add_argument("-c", "--count", type=int, default=3)
    p.add_argument("-W", "--wait", type=float, default=1.0)
    p.add_argument("-i", "--interval", type=float, default=0.2)
    p.add_argument("--min", type=int, default=1)
    p.add_argument("--id", type=lambda v: int(v, 0) & 0xFFFF, default=None)
    p.add_argument("--source", default=None)
    p.set_defaults(fn=cmd_ping)
    p = sub.add_parser("udp-burst")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("-n", type=int, default=100)
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--gap", type=float, default=0.0)
    p.set_defaults(fn=cmd_udp_burst)
    p = sub.add_parser("udp-who")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--first", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--timeout", type=float, default=0.5)
    p.set_defaults(fn=cmd_udp_who)
    p = sub.add_parser("rst-client")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--hold", type=float, default=0.3)
    p.set_defaults(fn=cmd_rst_client)
    p = sub.add_parser("unix-raw")
    p.add_argument("socket")
    p.add_argument("lines", nargs="+")
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(fn=cmd_unix_raw)
    p = sub.add_parser("json-get")
    p.add_argument("expr")
    p.set_defaults(fn=cmd_json_get)
    p = sub.add_parser("http-loop")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("-n", type=lambda v: min(int(v), 100000), default=100)
    p.add_argument("--gap", type=float, default=0.0)
    p.add_argument("--timeout", type=float, default=5.0)
    p.set_defaults(fn=cmd_http_loop)
    p = sub.add_parser("tally")
    p.add_argument("file")
    p.set_defaults(fn=cmd_tally)
    a = ap.parse_args()
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
