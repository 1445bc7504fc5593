#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""seccomp_exec.py UNIT -- PROGRAM ARGS...: run PROGRAM under the system
call filter UNIT's SystemCallFilter= lines describe, as systemd would
apply it (tests/e2e/test_service_caps.sh; no systemd in the lab).

Only deny-lists (`~`) are understood, the unit's form: each group is
expanded by `systemd-analyze syscall-filter` (systemd's own tables), every
name resolved for this architecture by libseccomp, and each call answers
the unit's SystemCallErrorNumber= (EPERM if none... systemd would kill
with SIGSYS instead: the unit sets one). The filter is loaded with
libseccomp through ctypes (libseccomp2, which systemd itself depends on),
then PROGRAM is executed: the filter stays across execve."""
import ctypes
import errno
import os
import subprocess
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000


def unit_filter(path):
    """The deny-list's names and groups, and the error number."""
    names, err = [], None
    for line in open(path):
        line = line.strip()
        if line.startswith("SystemCallFilter="):
            value = line.split("=", 1)[1]
            if not value.startswith("~"):
                sys.exit(f"seccomp_exec: {path}: only deny-lists (~...) are understood: {line}")
            names += value[1:].split()
        elif line.startswith("SystemCallErrorNumber="):
            err = getattr(errno, line.split("=", 1)[1])
    if not names:
        sys.exit(f"seccomp_exec: {path}: no SystemCallFilter=")
    return names, err if err is not None else errno.EPERM


def expand(names):
    """Groups (@...) to system calls, through systemd's tables."""
    calls, seen = set(), set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if not n.startswith("@"):
            calls.add(n)
            continue
        out = subprocess.run(["systemd-analyze", "syscall-filter", n], check=True,
                             capture_output=True, text=True).stdout
        todo += [w for w in (l.strip() for l in out.splitlines()[1:])
                 if w and not w.startswith("#")]
    return calls


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: seccomp_exec.py UNIT -- PROGRAM ARGS...")
    names, err = unit_filter(sys.argv[1])
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                     ctypes.c_uint]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        sys.exit("seccomp_exec: seccomp_init failed")
    denied = 0
    for call in sorted(expand(names)):
        nr = lib.seccomp_syscall_resolve_name(call.encode())
        if nr == -1:  # not a system call libseccomp knows
            continue
        rc = lib.seccomp_rule_add(ctx, SCMP_ACT_ERRNO | (err & 0xFFFF), nr, 0)
        if rc == 0:
            denied += 1
        elif rc != -errno.EDOM:  # EDOM: not on this architecture
            sys.exit(f"seccomp_exec: cannot deny {call}: {os.strerror(-rc)}")
    if lib.seccomp_load(ctx) != 0:
        sys.exit("seccomp_exec: seccomp_load failed")
    print(f"seccomp_exec: {denied} system calls answer {errno.errorcode[err]}",
          file=sys.stderr, flush=True)
    os.execvp(sys.argv[3], sys.argv[3:])


main()
