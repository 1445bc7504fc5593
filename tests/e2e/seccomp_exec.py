#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""seccomp_exec.py UNIT -- PROGRAM ARGS...: run PROGRAM under the seccomp
filter systemd would give UNIT's service (tests/e2e/unit_lib.sh's chain;
no systemd in the lab), built from its [Service] lines:

  SystemCallFilter=~...   each call of the deny-list answers
                          SystemCallErrorNumber= (EPERM if none; systemd
                          would kill with SIGSYS: the unit sets one); groups
                          expanded by `systemd-analyze syscall-filter`
                          (systemd's own tables). Only deny-lists are read.
  RestrictAddressFamilies= socket() of any other family: EAFNOSUPPORT
  RestrictNamespaces=yes  unshare()/clone() with a CLONE_NEW* flag and
                          setns(): EPERM; clone3(): ENOSYS (its flags are in
                          memory seccomp cannot read; glibc falls back to clone)
  RestrictRealtime=yes    sched_setscheduler() to SCHED_FIFO, SCHED_RR or any
                          policy above SCHED_IDLE (SCHED_DEADLINE): EPERM
  RestrictSUIDSGID=yes    chmod/mkdir/mknod/creat/open(O_CREAT) and their
                          *at forms with S_ISUID or S_ISGID: EPERM
  LockPersonality=yes     personality() with anything but the current one
                          (a query with 0xffffffff too): EPERM
  ProtectHostname=yes     sethostname(), setdomainname(): EPERM
  ProtectKernelLogs=yes   syslog(): EPERM
  ProtectKernelModules=yes init_module(), finit_module(), delete_module(): EPERM
  SystemCallArchitectures=native  the filter is for this architecture only:
                          libseccomp kills a call made with another ABI

"yes" stands for any of systemd's boolean spellings (1/yes/true/on,
0/no/false/off); any other value of a line above (RestrictNamespaces=net
ipc, say) exits naming the line, it is never skipped. The mount side of
those options (and ProtectSystem=, PrivateTmp=, ...) is
unit_sandbox.py's. Any other Restrict*=/SystemCall*= line fails: it would
be untested. Loaded with libseccomp through ctypes (libseccomp2, which
systemd itself depends on), then PROGRAM is executed: the filter stays
across execve."""
import ctypes
import errno
import os
import socket
import subprocess
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000
CMP_LT, CMP_EQ, CMP_GT, CMP_MASKED_EQ, CMP_NE = 2, 4, 6, 7, 1
# Not in Python's socket module.
FAMILIES = {"AF_XDP": 44}
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME.
CLONE_NEW = (0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
             0x20000000, 0x40000000, 0x80)
O_CREAT, S_ISUID, S_ISGID = 0o100, 0o4000, 0o2000
HANDLED = {"SystemCallFilter", "SystemCallErrorNumber", "RestrictAddressFamilies",
           "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
           "LockPersonality", "ProtectHostname", "ProtectKernelLogs",
           "ProtectKernelModules", "SystemCallArchitectures"}
# The boolean lines applied here (RestrictNamespaces= also takes a list of
# namespace types: refused, not emulated).
BOOLEANS = ("RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality",
            "ProtectHostname", "ProtectKernelLogs", "ProtectKernelModules")
# systemd's spellings of a boolean (parse_boolean()).
TRUE, FALSE = ("1", "yes", "y", "true", "t", "on"), ("0", "no", "n", "false", "f", "off")
# (unit, name) -> the line number of name's last [Service] line, for errors.
LINE_OF = {}


class ArgCmp(ctypes.Structure):
    """struct scmp_arg_cmp"""
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]


def unit_settings(path):
    """[Service] NAME=VALUE lines: name -> values, in order."""
    out, section = {}, None
    for number, line in enumerate(open(path), 1):
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            out.setdefault(name, []).append(value)
            LINE_OF[path, name] = number
    for name in out:
        if name.startswith(("Restrict", "SystemCall", "LockPersonality")) and name not in HANDLED:
            sys.exit(f"seccomp_exec: {path}: {name}= is not emulated (add it to tests/e2e/seccomp_exec.py)")
    return out


def setting(path, settings, name, words=()):
    """name's last value as systemd reads it: True or False for any of its
    boolean spellings, one of words as itself, False when absent. Any other
    value exits naming its line: skipping it would leave the line untested."""
    if name not in settings:
        return False
    v = settings[name][-1].strip()
    if v.lower() in TRUE:
        return True
    if v.lower() in FALSE:
        return False
    if v in words:
        return v
    also = "".join(f", {w}" for w in words)
    sys.exit(f"{path}:{LINE_OF[path, name]}: {name}={v} is not emulated by the lab "
             f"(only a boolean{also}; tests/e2e/{os.path.basename(sys.argv[0])})")


def deny_list(path, settings):
    """The deny-list's names and groups, and the error number."""
    names = []
    for value in settings.get("SystemCallFilter", []):
        if not value.startswith("~"):
            sys.exit(f"seccomp_exec: {path}: only deny-lists (~...) are understood: {value}")
        names += value[1:].split()
    err = settings.get("SystemCallErrorNumber", ["EPERM"])[-1]
    return names, getattr(errno, err)


def groups():
    """systemd's system call groups, "@name" -> its names (calls and
    groups), from one `systemd-analyze syscall-filter` run (one run per
    group cost seconds under load: the unit's ExecStopPost runs this too)."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"], check=True,
                         capture_output=True, text=True).stdout
    table, current = {}, None
    for line in out.splitlines():
        word = line.strip()
        if line.startswith("@"):
            current = table.setdefault(word, [])
        elif current is not None and word and not word.startswith("#"):
            current.append(word)
    return table


def expand(names):
    """Groups (@...) to system calls, through systemd's tables."""
    table = groups()
    calls, seen = set(), set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if not n.startswith("@"):
            calls.add(n)
        elif n in table:
            todo += table[n]
        else:
            sys.exit(f"seccomp_exec: {n}: not a group systemd-analyze knows")
    return calls


class Filter:
    """A libseccomp context: rules added by name, a call unknown here skipped."""

    def __init__(self):
        self.lib = lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                               ctypes.c_uint, ctypes.POINTER(ArgCmp)]
        lib.seccomp_load.argtypes = [ctypes.c_void_p]
        self.ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
        if not self.ctx:
            sys.exit("seccomp_exec: seccomp_init failed")
        self.rules = 0

    def deny(self, call, err, *cmps):
        """call answers -err when every (arg, op, a[, b]) comparison holds."""
        nr = self.lib.seccomp_syscall_resolve_name(call.encode())
        if nr == -1:  # not a system call libseccomp knows
            return
        arr = (ArgCmp * max(len(cmps), 1))(*[ArgCmp(c[0], c[1], c[2], c[3] if len(c) > 3 else 0)
                                               for c in cmps])
        rc = self.lib.seccomp_rule_add_array(self.ctx, SCMP_ACT_ERRNO | (err & 0xFFFF), nr,
                                             len(cmps), arr)
        if rc == 0:
            self.rules += 1
        elif rc != -errno.EDOM:  # EDOM: not on this architecture
            sys.exit(f"seccomp_exec: cannot deny {call}: {os.strerror(-rc)}")

    def load(self):
        if self.lib.seccomp_load(self.ctx) != 0:
            sys.exit("seccomp_exec: seccomp_load failed")


def restrict_families(f, value):
    """socket() outside the allow-list: below its lowest, above its
    highest and each gap between, as systemd adds them."""
    if value.startswith("~"):
        sys.exit("seccomp_exec: RestrictAddressFamilies=~... is not emulated")
    allowed = sorted(getattr(socket, n, FAMILIES.get(n, -1)) for n in value.split())
    if -1 in allowed:
        sys.exit(f"seccomp_exec: unknown family in RestrictAddressFamilies={value}")
    f.deny("socket", errno.EAFNOSUPPORT, (0, CMP_LT, allowed[0]))
    f.deny("socket", errno.EAFNOSUPPORT, (0, CMP_GT, allowed[-1]))
    for fam in range(allowed[0] + 1, allowed[-1]):
        if fam not in allowed:
            f.deny("socket", errno.EAFNOSUPPORT, (0, CMP_EQ, fam))


def restrict_namespaces(f):
    for flag in CLONE_NEW:
        f.deny("unshare", errno.EPERM, (0, CMP_MASKED_EQ, flag, flag))
        f.deny("clone", errno.EPERM, (0, CMP_MASKED_EQ, flag, flag))  # x86-64: flags first
    f.deny("setns", errno.EPERM)
    f.deny("clone3", errno.ENOSYS)


def restrict_suid_sgid(f):
    # (call, argument holding the mode, argument holding open flags or None)
    for call, mode, flags in (("chmod", 1, None), ("fchmod", 1, None), ("fchmodat", 2, None),
                              ("mkdir", 1, None), ("mkdirat", 2, None), ("mknod", 1, None),
                              ("mknodat", 2, None), ("creat", 1, None), ("open", 2, 1),
                              ("openat", 3, 2)):
        for bit in (S_ISUID, S_ISGID):
            cmps = [(mode, CMP_MASKED_EQ, bit, bit)]
            if flags is not None:
                cmps.append((flags, CMP_MASKED_EQ, O_CREAT, O_CREAT))
            f.deny(call, errno.EPERM, *cmps)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: seccomp_exec.py UNIT -- PROGRAM ARGS...")
    unit = sys.argv[1]
    st = unit_settings(unit)
    yes = {n for n in BOOLEANS if setting(unit, st, n)}
    names, err = deny_list(unit, st)
    f = Filter()
    for call in sorted(expand(names)):
        f.deny(call, err)
    applied = ["SystemCallFilter"] if names else []
    if "RestrictAddressFamilies" in st:
        restrict_families(f, st["RestrictAddressFamilies"][-1])
        applied.append("RestrictAddressFamilies")
    if "RestrictNamespaces" in yes:
        restrict_namespaces(f)
    if "RestrictRealtime" in yes:
        # SCHED_FIFO 1, SCHED_RR 2, above SCHED_IDLE 5: SCHED_DEADLINE 6.
        for cmp in ((1, CMP_EQ, 1), (1, CMP_EQ, 2), (1, CMP_GT, 5)):
            f.deny("sched_setscheduler", errno.EPERM, cmp)
    if "RestrictSUIDSGID" in yes:
        restrict_suid_sgid(f)
    if "LockPersonality" in yes:
        libc = ctypes.CDLL(None)
        cur = libc.personality(ctypes.c_ulong(0xFFFFFFFF)) & 0xFFFFFFFF
        f.deny("personality", errno.EPERM, (0, CMP_NE, cur))
    for name, calls in (("ProtectHostname", ("sethostname", "setdomainname")),
                        ("ProtectKernelLogs", ("syslog",)),
                        ("ProtectKernelModules", ("init_module", "finit_module", "delete_module"))):
        if name in yes:
            for call in calls:
                f.deny(call, errno.EPERM)
    arch = st.get("SystemCallArchitectures", ["native"])[-1]
    if arch != "native":
        sys.exit(f"seccomp_exec: SystemCallArchitectures={arch}: only native is emulated")
    applied += sorted(yes & HANDLED)
    f.load()
    print(f"seccomp_exec: {f.rules} rules ({', '.join(applied)}); the filter's calls answer "
          f"{errno.errorcode[err]}", file=sys.stderr, flush=True)
    os.execvp(sys.argv[3], sys.argv[3:])


if __name__ == "__main__":
    main()
