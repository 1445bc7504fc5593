#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tools for the NAT-gateway lab (scripts/lab_snat_lib.sh), standard library only.

  refused {udp|tcp} HOST PORT [--tries N] [--timeout SEC]
        inside: connect a socket to HOST:PORT (a closed port), send, recv;
        exit 0 when the socket sees ECONNREFUSED (UDP: the outside's ICMP
        port unreachable, translated back by the gateway; TCP: the RST).
        Prints a JSON summary.
  listen [--udp PORTS] [--tcp PORTS] --seconds S [--ready FILE] [--stop FILE]
         [--prime-udp LPORT=HOST:PORT] [--prime-tcp LPORT=HOST:PORT]
        inside: first, for each --prime-*, open an outbound flow from local
        port LPORT (UDP: a datagram to the lab server's echo port and its
        answer; TCP: GET /whoami, answer, close) so the gateway holds a
        mapping for it; then bind UDP sockets and TCP listeners on 0.0.0.0
        for every port in PORTS (comma separated; a primed UDP port keeps its
        socket), write the --ready file, and record everything that arrives
        until the --stop file exists (at most S seconds). Prints JSON: primed, udp {port: [peer...]}, tcp {port:
        [peer...]}, received (total).
  probe --src ADDR [--udp TARGETS] [--tcp TARGETS] [--avoid SESSIONS_JSON]
        [--count N] [--timeout SEC]
        outside: from ADDR, N UDP datagrams to each UDP target and one TCP
        connect (SYN, retransmitted by the kernel within SEC) to each TCP
        target, all in parallel. TARGETS: comma separated IP:PORT. With
        --avoid (a file holding `snat sessions` JSON), targets that are the
        outside end of a session of that protocol are skipped (they are not
        unsolicited). Prints JSON: udp_sent, tcp {target: outcome}, skipped;
        outcome is "timeout" (nothing came back), "connected", "refused" or
        an error name. Exit 0 when no TCP target connected.

Run with /usr/bin/python3 inside the lab's namespaces.
"""
import argparse
import json
import os
import select
import socket
import sys
import threading
import time


def parse_ports(text):
    return [int(p) for p in text.split(",") if p.strip()] if text else []


def parse_targets(text):
    out = []
    for t in (text or "").split(","):
        t = t.strip()
        if t:
            host, _, port = t.rpartition(":")
            out.append((host, int(port)))
    return out


def parse_prime(text):
    lport, _, dst = text.partition("=")
    host, _, port = dst.rpartition(":")
    return int(lport), host, int(port)


# ---------------------------------------------------------------- refused

def cmd_refused(a):
    res = {"proto": a.proto, "target": f"{a.host}:{a.port}", "refused": False,
           "tries": 0, "outcomes": []}
    for _ in range(a.tries):
        res["tries"] += 1
        kind = socket.SOCK_DGRAM if a.proto == "udp" else socket.SOCK_STREAM
        s = socket.socket(socket.AF_INET, kind)
        s.settimeout(a.timeout)
        try:
            s.connect((a.host, a.port))
            if a.proto == "udp":
                s.send(b"anyone there?")
                data = s.recv(2048)
                res["outcomes"].append(f"answer {data[:40]!r}")
            else:
                res["outcomes"].append("connected")
        except ConnectionRefusedError:
            res["outcomes"].append("ECONNREFUSED")
            res["refused"] = True
        except socket.timeout:
            res["outcomes"].append("timeout")
        except OSError as e:
            res["outcomes"].append(f"{type(e).__name__}: {e}")
        finally:
            s.close()
        if res["refused"]:
            break
        time.sleep(0.3)
    print(json.dumps(res, sort_keys=True))
    return 0 if res["refused"] else 1


# ---------------------------------------------------------------- listen

def prime_udp(lport, host, port, timeout=1.0, tries=4):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", lport))
    s.settimeout(timeout)
    for i in range(tries):
        payload = f"prime-{lport}-{i}".encode()
        s.sendto(payload, (host, port))
        end = time.time() + timeout
        while time.time() < end:
            try:
                data, peer = s.recvfrom(2048)
            except socket.timeout:
                break
            if peer == (host, port) and data.endswith(payload):
                return s, True
    return s, False


def prime_tcp(lport, host, port, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", lport))
    s.settimeout(timeout)
    try:
        s.connect((host, port))
        s.sendall(b"GET /whoami HTTP/1.0\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.startswith(b"HTTP/1.0 200")
    except OSError:
        return False
    finally:
        s.close()


def cmd_listen(a):
    res = {"primed": {}, "udp": {}, "tcp": {}, "received": 0}
    udp_socks = {}
    for spec in a.prime_udp:
        lport, host, port = parse_prime(spec)
        s, ok = prime_udp(lport, host, port)
        udp_socks[lport] = s
        res["primed"][f"udp:{lport}"] = ok
    for spec in a.prime_tcp:
        lport, host, port = parse_prime(spec)
        res["primed"][f"tcp:{lport}"] = prime_tcp(lport, host, port)
    for p in parse_ports(a.udp):
        if p not in udp_socks:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", p))
            udp_socks[p] = s
    tcp_socks = {}
    for p in parse_ports(a.tcp):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", p))
        s.listen(16)
        tcp_socks[p] = s
    for p in udp_socks:
        res["udp"][str(p)] = []
    for p in tcp_socks:
        res["tcp"][str(p)] = []
    for s in list(udp_socks.values()) + list(tcp_socks.values()):
        s.setblocking(False)
    by_fd = {s.fileno(): ("udp", p, s) for p, s in udp_socks.items()}
    by_fd.update({s.fileno(): ("tcp", p, s) for p, s in tcp_socks.items()})
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    end = time.time() + a.seconds
    while True:
        left = end - time.time()
        if left <= 0 or (a.stop and os.path.exists(a.stop)):
            break
        r, _, _ = select.select(list(by_fd), [], [], min(left, 0.1))
        for fd in r:
            kind, p, s = by_fd[fd]
            try:
                if kind == "udp":
                    data, peer = s.recvfrom(65535)
                    res["udp"][str(p)].append(f"{peer[0]}:{peer[1]} {len(data)}B")
                else:
                    c, peer = s.accept()
                    c.close()
                    res["tcp"][str(p)].append(f"{peer[0]}:{peer[1]}")
                res["received"] += 1
            except (BlockingIOError, InterruptedError):
                pass
    print(json.dumps(res, sort_keys=True))
    return 0


# ---------------------------------------------------------------- probe

def tcp_probe(src, target, timeout, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout)
    try:
        s.connect(target)
        out[f"{target[0]}:{target[1]}"] = "connected"
    except socket.timeout:
        out[f"{target[0]}:{target[1]}"] = "timeout"
    except ConnectionRefusedError:
        out[f"{target[0]}:{target[1]}"] = "refused"
    except OSError as e:
        out[f"{target[0]}:{target[1]}"] = type(e).__name__
    finally:
        s.close()


def cmd_probe(a):
    avoid = set()
    if a.avoid:
        with open(a.avoid) as f:
            sessions = json.load(f)
        if isinstance(sessions, dict):
            sessions = sessions.get("result", sessions).get("sessions", [])
        for s in sessions:
            avoid.add((s.get("proto"), s.get("outside")))
    res = {"src": a.src, "udp_sent": 0, "udp_targets": [], "tcp": {}, "skipped": []}
    udp_t = []
    for host, port in parse_targets(a.udp):
        if ("udp", f"{host}:{port}") in avoid:
            res["skipped"].append(f"udp {host}:{port}")
        else:
            udp_t.append((host, port))
    tcp_t = []
    for host, port in parse_targets(a.tcp):
        if ("tcp", f"{host}:{port}") in avoid:
            res["skipped"].append(f"tcp {host}:{port}")
        else:
            tcp_t.append((host, port))
    threads = [threading.Thread(target=tcp_probe, args=(a.src, t, a.timeout, res["tcp"]))
               for t in tcp_t]
    for t in threads:
        t.start()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((a.src, 0))
    for host, port in udp_t:
        for i in range(a.count):
            u.sendto(f"unsolicited {i} from {a.src}".encode(), (host, port))
            res["udp_sent"] += 1
        res["udp_targets"].append(f"{host}:{port}")
        time.sleep(0.01)
    u.close()
    for t in threads:
        t.join(a.timeout + 5)
    print(json.dumps(res, sort_keys=True))
    return 0 if "connected" not in res["tcp"].values() else 1


def main():
    ap = argparse.ArgumentParser(description="NAT-gateway lab tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("refused")
    p.add_argument("proto", choices=["udp", "tcp"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--tries", type=int, default=3)
    p.add_argument("--timeout", type=float, default=2.0)
    p.set_defaults(fn=cmd_refused)
    p = sub.add_parser("listen")
    p.add_argument("--udp", default="")
    p.add_argument("--tcp", default="")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--ready")
    p.add_argument("--stop")
    p.add_argument("--prime-udp", action="append", default=[])
    p.add_argument("--prime-tcp", action="append", default=[])
    p.set_defaults(fn=cmd_listen)
    p = sub.add_parser("probe")
    p.add_argument("--src", required=True)
    p.add_argument("--udp", default="")
    p.add_argument("--tcp", default="")
    p.add_argument("--avoid")
    p.add_argument("--count", type=int, default=2)
    p.add_argument("--timeout", type=float, default=1.5)
    p.set_defaults(fn=cmd_probe)
    a = ap.parse_args()
    if a.cmd == "listen" and not 0 < a.seconds <= 120:
        ap.error("--seconds must be in (0, 120]")
    sys.exit(a.fn(a))


if __name__ == "__main__":
    main()
