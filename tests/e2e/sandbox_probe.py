#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sandbox_probe.py: try one thing per sandboxing line of
conf/sluice.service and print "NAME RESULT" for each, RESULT "ok" or the
errno's name (EPERM, ...). tests/e2e/test_service_caps.sh runs it bare and
through the unit's wrapper chain (unit_sandbox.py, setpriv,
seccomp_exec.py) and wants each answer to be the line's own, and not the
bare one: what the line denies is shown denied, not merely a filter on.

Each call is made so that without the line it answers something else
even without the capability (a NULL pointer: EFAULT, EINVAL), and so that
the bare run changes nothing on the host (no hostname set, no file left).
"""
import ctypes
import errno
import os
import socket
import sys
import tempfile

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET, SCHED_FIFO, PER_LINUX32 = 0x40000000, 1, 0x0008
O_TMPFILE = 0o20000000 | os.O_DIRECTORY
# x86-64 numbers: raw calls, glibc's wrappers would follow the NULLs.
NR = {"clock_settime": 227, "sched_setscheduler": 144, "sethostname": 170}
# Not in RestrictAddressFamilies=, and a socket bare here (AF_BLUETOOTH,
# AF_ALG, AF_KEY are modules not loaded: EAFNOSUPPORT bare too).
AF_VSOCK = 40


def answer(rc):
    return "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]


def os_answer(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]


def probe_socket(family):
    return os_answer(lambda: socket.socket(family, socket.SOCK_STREAM).close())


def probe_chmod_suid():
    with tempfile.NamedTemporaryFile(dir="/tmp") as f:
        return os_answer(lambda: os.chmod(f.name, 0o4700))


def probe_open(path, flags):
    return os_answer(lambda: os.close(os.open(path, flags, 0o600)))


def main():
    if os.uname().machine != "x86_64":
        sys.exit("sandbox_probe: system call numbers are x86-64's")
    probes = {
        # SystemCallFilter=~@clock: NULL timespec, EFAULT without the filter.
        "clock_settime": lambda: answer(libc.syscall(NR["clock_settime"], 0, None)),
        # RestrictAddressFamilies=: AF_VSOCK is not in its list.
        "socket_af_vsock": lambda: probe_socket(AF_VSOCK),
        # RestrictNamespaces=yes: CAP_SYS_ADMIN is in the bounding set.
        "unshare_net": lambda: answer(libc.unshare(CLONE_NEWNET)),
        # RestrictRealtime=yes: NULL param, EINVAL without the filter.
        "sched_fifo": lambda: answer(libc.syscall(NR["sched_setscheduler"], 0, SCHED_FIFO, None)),
        # RestrictSUIDSGID=yes: root owns the file, no CAP_FOWNER needed.
        "chmod_suid": probe_chmod_suid,
        # LockPersonality=yes.
        "personality32": lambda: answer(libc.personality(ctypes.c_ulong(PER_LINUX32))),
        # ProtectHostname=yes: NULL name, EFAULT without the filter.
        "sethostname": lambda: answer(libc.syscall(NR["sethostname"], None, 1)),
        # ProtectKernelLogs=yes: /proc/kmsg mode 000, no CAP_DAC_OVERRIDE.
        "open_kmsg": lambda: probe_open("/proc/kmsg", os.O_RDONLY | os.O_NONBLOCK),
        # ProtectSystem=full: an unnamed file in /etc (nothing left bare).
        "write_etc": lambda: probe_open("/etc", O_TMPFILE | os.O_WRONLY),
    }
    for name, run in probes.items():
        print(name, run(), flush=True)
    # personality() above may have changed it bare: the process ends here.
    sys.exit(0)


if __name__ == "__main__":
    main()
