#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Counters for `make bench-e2e` (tests/perf/e2e.sh); standard library only.

  e2e_stats.py tcp
      the TCP counters of the current network namespace that tell loss from
      reordering (run it with `ip netns exec`), as JSON

  e2e_stats.py pktsock PID STATE_FILE
      ring statistics of PID's AF_PACKET sockets, as JSON totals by
      interface: {"ring_packets_wan0": N, "ring_drops_wan0": N, ...}

DPDK's net_af_packet (22.11) does not report the frames the kernel could not
put in a full RX ring (PACKET_STATISTICS tp_drops), and `ss` shows only the
socket's sk_drops, which a ring socket does not count. `pktsock` borrows each
packet socket of PID with pidfd_getfd(2) (root), reads PACKET_STATISTICS
(which the kernel resets on each read; DPDK 22.11 never reads it) and adds it
to the totals kept in STATE_FILE. tp_packets includes the drops.
"""
import ctypes
import json
import os
import socket
import struct
import sys

SYS_pidfd_open, SYS_pidfd_getfd = 434, 438
SOL_PACKET, PACKET_STATISTICS = 263, 6


TCP_KEYS = ("Tcp:RetransSegs", "Tcp:ActiveOpens", "Tcp:PassiveOpens", "Tcp:AttemptFails",
            "Tcp:OutRsts", "TcpExt:TCPOFOQueue", "TcpExt:TCPSACKReorder", "TcpExt:TCPTSReorder",
            "TcpExt:TCPDSACKRecv", "TcpExt:TCPDSACKOldSent", "TcpExt:TCPTimeouts",
            "TcpExt:ListenOverflows", "TcpExt:ListenDrops")


def tcp():
    vals = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = open(path).read().splitlines()
        for head, body in zip(lines[::2], lines[1::2]):
            names, nums = head.split(), body.split()
            for n, v in zip(names[1:], nums[1:]):
                vals[names[0] + n] = int(v)
    print(json.dumps({k.split(":")[1]: vals.get(k, 0) for k in TCP_KEYS}))
    return 0


def pktsock(pid, state):
    try:
        tot = json.load(open(state))
    except (OSError, ValueError):
        tot = {}
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = libc.syscall(SYS_pidfd_open, pid, 0)
    if pidfd < 0:
        print(json.dumps(tot))
        return 0
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            try:
                if not os.readlink("/proc/%d/fd/%s" % (pid, name)).startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_pidfd_getfd, pidfd, int(name), 0)
            if fd < 0:
                continue
            try:
                # Python cannot wrap every family (AF_XDP: EOPNOTSUPP).
                s = socket.socket(fileno=fd)
            except OSError:
                os.close(fd)
                continue
            try:
                if s.family != socket.AF_PACKET:
                    continue
                ifname = s.getsockname()[0]
                packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
                tot["ring_packets_" + ifname] = tot.get("ring_packets_" + ifname, 0) + packets
                tot["ring_drops_" + ifname] = tot.get("ring_drops_" + ifname, 0) + drops
            except OSError:
                pass
            finally:
                s.close()
    finally:
        os.close(pidfd)
    with open(state, "w") as f:
        json.dump(tot, f)
    print(json.dumps(tot))
    return 0


def main():
    if sys.argv[1:2] == ["tcp"]:
        return tcp()
    if sys.argv[1:2] == ["pktsock"] and len(sys.argv) == 4:
        return pktsock(int(sys.argv[2]), sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
