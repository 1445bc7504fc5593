#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stand in for systemd's notification socket (used by test_service.sh).

Binds a unix datagram socket at SOCK (NOTIFY_SOCKET for sluice), writes
each message to LOG as one JSON line {"seq", "msg", "pid"}, and at the
first READY=1 looks at sluice at once, before the next message is read:
  - the state of every "rte-worker-N" thread (/proc/PID/task/*/syscall:
    "0 ..." is read(2), where a DPDK worker not yet launched waits for
    its command on the EAL pipe; a running worker is in user space or in
    sendto/nanosleep);
  - a `stats` request on the control socket CTL: how many workers it lists.
Both go to LOG as {"ready_check": ...}. Stops after STOPPING=1, or after
LIMIT seconds.
"""
import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts"))
from h6_tool import request  # noqa: E402  one request line on the control socket

SOCK, LOG, CTL, LIMIT = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])


def worker_threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            comm = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
            if comm.startswith("rte-worker-"):
                out[comm] = open(f"/proc/{pid}/task/{tid}/syscall").read().split()[0]
        except OSError as e:
            out[tid] = f"error: {e}"
    return out


def stats_workers():
    try:
        return len(json.loads(request(CTL, '{"cmd": "stats"}'))["result"]["workers"])
    except (OSError, ValueError, KeyError) as e:
        return f"error: {e}"


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(SOCK)
    s.settimeout(0.5)
    end = time.monotonic() + LIMIT
    seq = 0
    checked = False
    with open(LOG, "a", buffering=1) as log:
        while time.monotonic() < end:
            try:
                data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            pid = None
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", payload[:12])[0]
            msg = data.decode(errors="replace")
            seq += 1
            log.write(json.dumps({"seq": seq, "msg": msg, "pid": pid}) + "\n")
            lines = msg.split("\n")
            if "READY=1" in lines and not checked and pid:
                checked = True
                threads = worker_threads(pid)
                log.write(json.dumps({"ready_check": {"threads": threads,
                                                      "stats_workers": stats_workers()}}) + "\n")
            if "STOPPING=1" in lines:
                break


main()
